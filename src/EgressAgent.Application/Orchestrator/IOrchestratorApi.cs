using System.Text.Json;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Results;

namespace EgressAgent.Application.Orchestrator;

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
