using System.Net;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Text;
using EgressAgent.Infrastructure.Network;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary>
/// <c>/api/v1/test/network/outbound_ip_address</c> (docs/protocol.md §14): the address the agent's
/// traffic leaves from, as <c>Network:OutboundIpUrl</c> sees it, fetched through the same guard as
/// <c>http</c> within <c>timeout</c> seconds (default 10).
/// </summary>
internal sealed class OutboundIpAddressExecutor(GuardedHttpGet http, IOptions<NetworkOptions> options, TimeProvider timeProvider) : ISelfTimedExecutor
{
    private static readonly CheckTimeout Timeout = new(TimeSpan.FromSeconds(10));

    /// <summary>An address is at most 45 characters; a page this long is not one.</summary>
    private const int MaxAnswerBytes = 1024;

    public OperationRoute Route { get; } = OperationRoute.Exact("/api/v1/test/network/outbound_ip_address");

    public TimeSpan TimeoutOf(JsonObject operation) => Timeout.OrDefault(operation);

    public async Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var deadline = Timeout.Start(context.Operation, timeProvider, cancellationToken);
        var url = options.Value.OutboundIpUrl; // an absolute http(s) URL: validated at start
        var failed = $"Could not get the outbound IP address from {SecretNames.WithoutUrlCredentials(url)}: ";
        HttpGetAnswer answer;
        try
        {
            answer = await http.GetAsync(new Uri(url), MaxAnswerBytes, deadline.Token);
        }
        catch (Exception ex) when (NetworkFailures.IsNetworkFailure(ex))
        {
            throw NetworkFailures.OfHttp(ex, deadline, failed);
        }

        if (answer.StatusCode is < 200 or >= 300)
        {
            throw new OperationFailedException($"{failed}it answered {answer.StatusCode} ({answer.ReasonPhrase}).", ErrorKinds.NetworkCheckFailed);
        }

        var text = answer.BodyText().Trim();
        return IPAddress.TryParse(text, out var address)
            ? new JsonObject { ["outbound_ip_address"] = address.ToString() }
            : throw new OperationFailedException($"{failed}its answer is not an IP address: {WellFormedText.Excerpt(text, 64)}.", ErrorKinds.NetworkCheckFailed);
    }
}
