using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Text;
using EgressAgent.Infrastructure.Network;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary>
/// <c>/api/v1/test/network/http</c> (docs/protocol.md §14): a GET of <c>url</c> through the guard, every
/// redirect checked, within <c>timeout</c> seconds (default 10) for the whole exchange, body included;
/// the status and reason, and with <c>include_response</c> the first 64 KiB of the body. The URL is
/// echoed without user info, query or fragment.
/// </summary>
internal sealed class HttpCheckExecutor(GuardedHttpGet http, TimeProvider timeProvider) : ISelfTimedExecutor
{
    private static readonly CheckTimeout Timeout = new(TimeSpan.FromSeconds(10));

    /// <summary>The most of a body <c>include_response</c> returns; the rest is never read.</summary>
    public const int MaxContentBytes = 64 * 1024;

    private const int MaxUrlChars = 2048;

    public OperationRoute Route { get; } = OperationRoute.Exact("/api/v1/test/network/http");

    public TimeSpan TimeoutOf(JsonObject operation) => Timeout.OrDefault(operation);

    public async Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var url = NetworkParameters.Text(context.Operation, "url")
            ?? throw new OperationFailedException(NetworkParameters.UrlRequired, ErrorKinds.InvalidOperation);
        var includeResponse = NetworkParameters.IncludeResponse(context.Operation);
        using var deadline = Timeout.Start(context.Operation, timeProvider, cancellationToken);
        // Shown as every URL the agent shows (docs/adr/0021): a password or token in it stays out of the result.
        var shownUrl = WellFormedText.Excerpt(SecretNames.WithoutUrlCredentials(url), MaxUrlChars);
        var failed = $"HTTP request failed for {shownUrl}: ";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new OperationFailedException($"{failed}it is not an absolute http or https URL.", ErrorKinds.InvalidOperation);
        }

        HttpGetAnswer answer;
        string content;
        try
        {
            answer = await http.GetAsync(uri, includeResponse ? MaxContentBytes : 0, deadline.Token);
            content = includeResponse ? answer.BodyText() : string.Empty;
        }
        catch (Exception ex) when (NetworkFailures.IsNetworkFailure(ex))
        {
            throw NetworkFailures.OfHttp(ex, deadline, failed);
        }

        var message = $"URL {shownUrl} responded with status: {answer.StatusCode} ({answer.ReasonPhrase})";
        return new JsonObject { ["message"] = includeResponse ? $"{message} and content: {content}" : message };
    }
}
