namespace EgressAgent.Emulator;

/// <summary>One request that reached the agent-facing API (under the path prefix), with the status it was answered.</summary>
/// <param name="At">Arrival time.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path without the prefix, e.g. <c>/api/v1/agent/heartbeat</c> or <c>/stream</c>.</param>
/// <param name="PathWithPrefix">Path as received.</param>
/// <param name="Query">Query string including the leading '?', or "" when there is none.</param>
/// <param name="TokenId">The <c>x-mcd-id</c> header.</param>
/// <param name="Token">The <c>x-mcd-token</c> header.</param>
/// <param name="InstanceId">The <c>x-mcd-agent-instance-id</c> header.</param>
/// <param name="LastEventId">The <c>Last-Event-ID</c> header.</param>
/// <param name="ContentType">The <c>Content-Type</c> header.</param>
/// <param name="Accept">The <c>Accept</c> header.</param>
/// <param name="Body">Request body as UTF-8 text, null when empty.</param>
/// <param name="StatusCode">Status answered; 499 when the client went away before an answer was sent.</param>
public sealed record RecordedRequest(
    DateTimeOffset At,
    string Method,
    string Path,
    string PathWithPrefix,
    string Query,
    string? TokenId,
    string? Token,
    string? InstanceId,
    string? LastEventId,
    string? ContentType,
    string? Accept,
    string? Body,
    int StatusCode);
