using System.Net;
using System.Text.Json;
using EgressAgent.Application.Ports;
using EgressAgent.Domain.Text;

namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// The Refit client behind the application's port: per-endpoint timeouts, status codes mapped
/// to the contract's meaning, and E5's three attempts.
/// </summary>
internal sealed class OrchestratorApiAdapter(IOrchestratorRestApi api, TimeProvider timeProvider) : IOrchestratorApi
{
    public async Task<FetchedOperation?> FetchOperationAsync(CancellationToken cancellationToken)
    {
        using var response = await WithTimeoutAsync(api.FetchOperationAsync, EndpointTimeouts.FetchOperation, "E1", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        EnsureSuccess(response, "E1");
        var body = await ReadJsonAsync(response, cancellationToken);
        return body is null ? null : new FetchedOperation(body.Value);
    }

    public async Task<PublishOutcome> PublishResultAsync(string operationId, IResultBody result, CancellationToken cancellationToken)
    {
        // Streamed from the store, not built as a tree and serialised whole (docs/adr/0009).
        using var body = new ResultEnvelopeContent(result);
        using var response = await WithTimeoutAsync(ct => api.PublishResultAsync(operationId, body, ct), EndpointTimeouts.PublishResult, "E2", cancellationToken);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return PublishOutcome.Delivered(status, await ReadNextOperationAsync(response, cancellationToken));
        }

        if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            // Final for this body, yet not the end of the result: the publisher sends a failure in its place.
            return PublishOutcome.TooLarge(body.Headers.ContentLength ?? result.Length);
        }

        // 401/403 are retried too: a rotated credential may be accepted on the next attempt.
        var retryable = status is 408 or 429 or 401 or 403 || status >= 500;
        return new PublishOutcome(
            retryable ? PublishStatus.Retryable : PublishStatus.Rejected,
            status,
            RetryAfter: retryable ? RetryAfterOf(response) : null,
            Error: response.ReasonPhrase);
    }

    public async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var response = await WithTimeoutAsync(api.HeartbeatAsync, EndpointTimeouts.Heartbeat, "E3", cancellationToken);
        EnsureSuccess(response, "E3");
    }

    public async Task NotifyShutdownAsync(CancellationToken cancellationToken)
    {
        using var response = await WithTimeoutAsync(api.NotifyShutdownAsync, EndpointTimeouts.NotifyShutdown, "E4", cancellationToken);
        EnsureSuccess(response, "E4");
    }

    public async Task<JsonElement> DownloadOperationAsync(string operationId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await WithTimeoutAsync(ct => api.DownloadOperationAsync(operationId, ct), EndpointTimeouts.DownloadOperation, "E5", cancellationToken);
                if ((int)response.StatusCode >= 500 && attempt < EndpointTimeouts.DownloadAttempts)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), timeProvider, cancellationToken);
                    continue;
                }

                EnsureSuccess(response, "E5");
                return await ReadJsonAsync(response, cancellationToken) ?? throw new InvalidDataException("E5 answered an empty body");
            }
            catch (Exception ex) when (ex is HttpRequestException { StatusCode: null } or TimeoutException && attempt < EndpointTimeouts.DownloadAttempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), timeProvider, cancellationToken);
            }
        }
    }

    public async Task<string> PingAsync(string traceId, CancellationToken cancellationToken)
    {
        using var response = await WithTimeoutAsync(ct => api.PingAsync(traceId, ct), EndpointTimeouts.Ping, "E6", cancellationToken);
        EnsureSuccess(response, "E6");
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>Runs one call under its endpoint timeout; a timeout surfaces as <see cref="TimeoutException"/>, not as cancellation.</summary>
    private async Task<HttpResponseMessage> WithTimeoutAsync(Func<CancellationToken, Task<HttpResponseMessage>> call, TimeSpan timeout, string endpoint, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            return await call(linked.Token);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{endpoint} did not answer within {timeout.TotalSeconds:0} s");
        }
    }

    private static void EnsureSuccess(HttpResponseMessage response, string endpoint)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }

    private static async Task<JsonElement?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length == 0)
        {
            return null;
        }

        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.Clone();
    }

    /// <summary>An empty or non-JSON 2xx body is still a delivery; only a well-formed next_operation is taken.</summary>
    private static async Task<FetchedOperation?> ReadNextOperationAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await ReadJsonAsync(response, cancellationToken);
            // Not root.TryGetProperty: it throws when another name in the answer is not valid
            // Unicode, and a delivered result would then be taken for a failed one and sent again.
            return body is { ValueKind: JsonValueKind.Object } root
                && WellFormedJson.TryGetProperty(root, "next_operation"u8, out var next)
                && next.ValueKind == JsonValueKind.Object
                    ? new FetchedOperation(next.Clone())
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        return retryAfter?.Date is { } date ? Max(date - timeProvider.GetUtcNow(), TimeSpan.Zero) : null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
