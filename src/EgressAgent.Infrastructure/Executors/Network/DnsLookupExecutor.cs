using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Network;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary>
/// <c>/api/v1/test/network/dns</c> (docs/protocol.md §14): every address <c>host</c> resolves to, each
/// once, sorted as text. It connects nowhere, so the guard does not judge the answer: a name that
/// resolves to loopback or a private range is exactly what an operator asks it to show. Bounded by
/// <c>timeout</c> seconds (default 5) like the other checks.
/// </summary>
internal sealed class DnsLookupExecutor(IHostResolver resolver, TimeProvider timeProvider) : ISelfTimedExecutor
{
    private static readonly CheckTimeout Timeout = new(TimeSpan.FromSeconds(5));

    public OperationRoute Route { get; } = OperationRoute.Exact("/api/v1/test/network/dns");

    public TimeSpan TimeoutOf(JsonObject operation) => Timeout.OrDefault(operation);

    public async Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = NetworkParameters.Text(context.Operation, "host")
            ?? throw new OperationFailedException(NetworkParameters.HostRequired, ErrorKinds.InvalidOperation);
        using var deadline = Timeout.Start(context.Operation, timeProvider, cancellationToken);
        var shownHost = NetworkParameters.ShownHost(host);

        string[] addresses;
        try
        {
            // WaitAsync: a lookup that ignores cancellation still cannot hold the worker past the timeout.
            var answer = await resolver.ResolveAsync(host, deadline.Token).WaitAsync(deadline.Token);
            addresses = [.. answer.Select(a => a.ToString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }
        catch (Exception ex) when (NetworkFailures.IsNetworkFailure(ex) || ex is ArgumentException)
        {
            throw NetworkFailures.OfLookup(ex, deadline, shownHost);
        }

        return addresses.Length == 0
            ? throw NetworkFailures.LookupFailed(shownHost, "it resolves to no address")
            : new JsonObject { ["message"] = $"Host {shownHost} resolves to: {string.Join(", ", addresses)}" };
    }
}
