using System.Text.Json;

namespace EgressAgent.Application.Ports;

/// <summary>The orchestrator's REST endpoints E1–E6 (docs/protocol.md §3), as the application sees them.</summary>
public interface IOrchestratorApi
{
    /// <summary>E1. Null on 204. Throws on transport errors and non-success answers.</summary>
    Task<FetchedOperation?> FetchOperationAsync(CancellationToken cancellationToken);

    /// <summary>
    /// E2, one attempt: the caller owns retries so it can persist and back off. The body is sent as
    /// <c>{"result": &lt;result&gt;}</c>, streamed from <paramref name="result"/>.
    /// </summary>
    Task<PublishOutcome> PublishResultAsync(string operationId, IResultBody result, CancellationToken cancellationToken);

    /// <summary>E3.</summary>
    Task HeartbeatAsync(CancellationToken cancellationToken);

    /// <summary>E4.</summary>
    Task NotifyShutdownAsync(CancellationToken cancellationToken);

    /// <summary>E5: the full body of an oversized operation.</summary>
    Task<JsonElement> DownloadOperationAsync(string operationId, CancellationToken cancellationToken);

    /// <summary>E6: the raw answer of the reachability self-test.</summary>
    Task<string> PingAsync(string traceId, CancellationToken cancellationToken);
}

/// <summary>The raw envelope an E1 or a <c>next_operation</c> carried; validated by the pipeline.</summary>
public sealed record FetchedOperation(JsonElement Envelope);

public enum PublishStatus
{
    Delivered,
    Retryable,
    Rejected,

    /// <summary>413: final for this body; the publisher sends a <c>ResultTooLarge</c> failure in its place (docs/protocol.md §10).</summary>
    TooLarge,
}

/// <summary>What one E2 attempt achieved. <paramref name="RefusedBytes"/>: the size of the request body a 413 refused.</summary>
public sealed record PublishOutcome(PublishStatus Status, int? StatusCode, TimeSpan? RetryAfter = null, FetchedOperation? NextOperation = null, string? Error = null, long? RefusedBytes = null)
{
    public static PublishOutcome Delivered(int statusCode, FetchedOperation? next) => new(PublishStatus.Delivered, statusCode, NextOperation: next);

    public static PublishOutcome TooLarge(long refusedBytes) => new(PublishStatus.TooLarge, 413, RefusedBytes: refusedBytes);
}
