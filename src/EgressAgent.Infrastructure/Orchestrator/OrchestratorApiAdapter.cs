using System.Net;
using System.Text;
using System.Text.Json;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// The Refit client behind the application's port: per-endpoint timeouts over whole exchanges
/// (body included), capped answer bodies, status codes mapped to the contract's meaning, and
/// E5's three attempts. A <c>3xx</c> is a failed exchange, never followed (docs/adr/0041).
/// </summary>
internal sealed partial class OrchestratorApiAdapter(
    IOrchestratorRestApi api,
    IOptions<EndpointTimeoutOptions> timeouts,
    TimeProvider timeProvider,
    ILogger<OrchestratorApiAdapter> logger) : IOrchestratorApi
{
    internal const int DownloadAttempts = 3;

    private readonly EndpointTimeoutOptions _timeouts = timeouts.Value;

    public async Task<FetchedOperation?> FetchOperationAsync(CancellationToken cancellationToken)
    {
        var body = await ExchangeAsync(
            "E1",
            _timeouts.FetchOperation,
            api.FetchOperationAsync,
            async (response, token) =>
            {
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    return null;
                }

                EnsureSuccess(response, "E1");
                return await ReadJsonAsync(response, ResponseLimits.Envelope, "E1", token);
            },
            cancellationToken);
        return body is null ? null : new FetchedOperation(body.Value);
    }

    public async Task<PublishOutcome> PublishResultAsync(string operationId, IResultBody result, CancellationToken cancellationToken)
    {
        using var deadline = new ExchangeDeadline("E2", _timeouts.PublishResult, timeProvider, cancellationToken);

        // Streamed from the store, not built as a tree and serialised whole (docs/adr/0009).
        using var body = new ResultEnvelopeContent(result, deadline.Token);
        HttpResponseMessage response;
        try
        {
            response = await api.PublishResultAsync(operationId, body, deadline.Token);
        }
        catch (Exception ex) when (deadline.IsTimeout(ex))
        {
            throw deadline.TimeoutError(ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (RedirectAnswer.IsRedirect(response))
            {
                // Never a delivery: the result stays in the outbox and is retried like a 5xx.
                LogRedirectNotFollowed(logger, "E2", status, RedirectAnswer.TargetOrigin(response));
                return new PublishOutcome(PublishStatus.Retryable, status, RetryAfter: null, Error: $"redirect not followed ({response.ReasonPhrase})");
            }

            if (response.IsSuccessStatusCode)
            {
                return PublishOutcome.Delivered(status, await ReadNextOperationAsync(operationId, response, deadline));
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
    }

    public Task HeartbeatAsync(CancellationToken cancellationToken) =>
        ExchangeAsync("E3", _timeouts.Heartbeat, api.HeartbeatAsync, DrainSmallAnswerAsync("E3"), cancellationToken);

    public Task NotifyShutdownAsync(CancellationToken cancellationToken) =>
        ExchangeAsync("E4", _timeouts.NotifyShutdown, api.NotifyShutdownAsync, DrainSmallAnswerAsync("E4"), cancellationToken);

    public async Task<JsonElement> DownloadOperationAsync(string operationId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var body = await ExchangeAsync(
                    "E5",
                    _timeouts.DownloadOperation,
                    ct => api.DownloadOperationAsync(operationId, ct),
                    async (response, token) =>
                    {
                        EnsureSuccess(response, "E5");
                        return await ReadJsonAsync(response, ResponseLimits.OperationBody, "E5", token);
                    },
                    cancellationToken);
                return body ?? throw new InvalidDataException("E5 answered an empty body");
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < DownloadAttempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), timeProvider, cancellationToken);
            }
        }
    }

    public Task<string> PingAsync(string traceId, CancellationToken cancellationToken) =>
        ExchangeAsync(
            "E6",
            _timeouts.Ping,
            ct => api.PingAsync(traceId, ct),
            async (response, token) =>
            {
                EnsureSuccess(response, "E6");
                var bytes = await BoundedBody.ReadAsync(response.Content, ResponseLimits.SmallAnswer, "E6", token);
                return Encoding.UTF8.GetString(bytes.Span);
            },
            cancellationToken);

    /// <summary>
    /// One exchange under its endpoint's timeout: the request, the headers and <paramref name="read"/>
    /// of the body all share one deadline, so a body that stalls costs no more than the timeout.
    /// </summary>
    private async Task<T> ExchangeAsync<T>(
        string endpoint,
        TimeSpan timeout,
        Func<CancellationToken, Task<HttpResponseMessage>> send,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken)
    {
        using var deadline = new ExchangeDeadline(endpoint, timeout, timeProvider, cancellationToken);
        try
        {
            using var response = await send(deadline.Token);
            if (RedirectAnswer.IsRedirect(response))
            {
                LogRedirectNotFollowed(logger, endpoint, (int)response.StatusCode, RedirectAnswer.TargetOrigin(response));
                throw RedirectAnswer.Failure(endpoint, response);
            }

            return await read(response, deadline.Token);
        }
        catch (Exception ex) when (deadline.IsTimeout(ex))
        {
            throw deadline.TimeoutError(ex);
        }
        catch (ResponseTooLargeException ex)
        {
            LogTooLarge(logger, ex.Message);
            throw;
        }
    }

    private Task ExchangeAsync(
        string endpoint,
        TimeSpan timeout,
        Func<CancellationToken, Task<HttpResponseMessage>> send,
        Func<HttpResponseMessage, CancellationToken, Task> read,
        CancellationToken cancellationToken) =>
        ExchangeAsync(
            endpoint,
            timeout,
            send,
            async (response, token) =>
            {
                await read(response, token);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// E3/E4: success is the status, but the body is read (and dropped) within the cap, so the
    /// exchange is whole and the connection can be reused rather than torn down mid-answer.
    /// </summary>
    private static Func<HttpResponseMessage, CancellationToken, Task> DrainSmallAnswerAsync(string endpoint) =>
        (response, token) =>
        {
            EnsureSuccess(response, endpoint);
            return BoundedBody.DrainAsync(response.Content, ResponseLimits.SmallAnswer, endpoint, token);
        };

    /// <summary>
    /// A 2xx means the orchestrator has taken the result, whatever follows. An answer that cannot
    /// be read — empty, not JSON, over the cap, stalled past the timeout, cut off — costs only the
    /// <c>next_operation</c> it may carry (docs/adr/0010): calling it a failure would publish the
    /// result a second time.
    /// </summary>
    private async Task<FetchedOperation?> ReadNextOperationAsync(string operationId, HttpResponseMessage response, ExchangeDeadline deadline)
    {
        JsonElement? body;
        try
        {
            body = await ReadJsonAsync(response, ResponseLimits.Envelope, "E2", deadline.Token);
        }
        catch (JsonException ex)
        {
            // Whatever it held, a next_operation in it cannot be read: said, not dropped in silence.
            LogAnswerUnread(logger, operationId, (int)response.StatusCode, $"not JSON: {ex.Message}");
            return null;
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            var reason = deadline.IsTimeout(ex) ? $"not read within {deadline.Timeout}" : $"{ex.GetType().Name}: {ex.Message}";
            LogAnswerUnread(logger, operationId, (int)response.StatusCode, reason);
            return null;
        }

        // Not root.TryGetProperty: it throws when another name in the answer is not valid
        // Unicode, and a delivered result would then be taken for a failed one and sent again.
        return body is { ValueKind: JsonValueKind.Object } root
            && WellFormedJson.TryGetProperty(root, "next_operation"u8, out var next)
            && next.ValueKind == JsonValueKind.Object
                ? new FetchedOperation(next.Clone())
                : null;
    }

    private static void EnsureSuccess(HttpResponseMessage response, string endpoint)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }

    private static async Task<JsonElement?> ReadJsonAsync(HttpResponseMessage response, long limit, string endpoint, CancellationToken cancellationToken)
    {
        var bytes = await BoundedBody.ReadAsync(response.Content, limit, endpoint, cancellationToken);
        if (bytes.IsEmpty)
        {
            return null;
        }

        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// E5 tries again after a transport error, a 5xx (or a 3xx, a failure like it), a timeout or a
    /// body cut off mid-way; not after an answer that would be the same next time (4xx, over the cap, not JSON).
    /// </summary>
    private static bool IsTransient(Exception exception) => exception switch
    {
        HttpRequestException { StatusCode: null } => true,
        HttpRequestException { StatusCode: { } status } => (int)status is >= 500 or (>= 300 and <= 399),
        TimeoutException => true,
        IOException => true,
        _ => false,
    };

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

    [LoggerMessage(Level = LogLevel.Error, Message = "Answer refused: {Error}")]
    private static partial void LogTooLarge(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Endpoint} answered {StatusCode} with Location {Target}; the redirect was not followed and the exchange failed")]
    private static partial void LogRedirectNotFollowed(ILogger logger, string endpoint, int statusCode, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Result {OperationId} was accepted ({StatusCode}) but its answer was unreadable ({Reason}); any next_operation in it is lost and the orchestrator requeues it")]
    private static partial void LogAnswerUnread(ILogger logger, string operationId, int statusCode, string reason);
}
