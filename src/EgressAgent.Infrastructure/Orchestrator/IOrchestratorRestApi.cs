using Refit;

namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// Endpoints E1–E6 (docs/protocol.md §3). Answers are raw responses: status codes carry meaning
/// (204 no work, 2xx with an empty body, retryable vs final 4xx) that the adapter decides.
/// </summary>
internal interface IOrchestratorRestApi
{
    [Get("/api/v1/agent/operation")]
    Task<HttpResponseMessage> FetchOperationAsync(CancellationToken cancellationToken);

    /// <summary>The body is sent as given (Refit passes <see cref="HttpContent"/> through unserialised).</summary>
    [Put("/api/v1/agent/operations/{operationId}/result")]
    Task<HttpResponseMessage> PublishResultAsync(string operationId, [Body] HttpContent body, CancellationToken cancellationToken);

    [Post("/api/v1/agent/heartbeat")]
    Task<HttpResponseMessage> HeartbeatAsync(CancellationToken cancellationToken);

    [Post("/api/v1/agent/shutdown")]
    Task<HttpResponseMessage> NotifyShutdownAsync(CancellationToken cancellationToken);

    [Get("/api/v1/agent/operations/{operationId}/request")]
    Task<HttpResponseMessage> DownloadOperationAsync(string operationId, CancellationToken cancellationToken);

    [Get("/api/v1/test/ping")]
    Task<HttpResponseMessage> PingAsync([AliasAs("trace_id")] string traceId, CancellationToken cancellationToken);
}
