using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Health;
using EgressAgent.Domain.Timing;
using EgressAgent.Infrastructure.Orchestrator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Stream;

/// <summary>
/// The one stream connection (docs/protocol.md §4): <c>GET /stream</c> read with <see cref="SseParser"/>,
/// reconnected with full-jitter backoff after any end, error or silence longer than the idle
/// timeout, resuming with <c>Last-Event-ID</c>. One connection at a time: the loop disposes the
/// old response before it dials again. A <c>3xx</c> is a failed connect, never followed (docs/adr/0041).
/// </summary>
internal sealed partial class SseOrchestratorEventStream(
    IHttpClientFactory httpClients,
    OrchestratorUrl url,
    IOptions<EventsOptions> events,
    AgentCounters counters,
    TimeProvider timeProvider,
    ILogger<SseOrchestratorEventStream> logger,
    ILoopProgress? progress = null) : IOrchestratorEventStream // optional: rigs that do not watch liveness leave it out
{
    public const string HttpClientName = "orchestrator-stream";

    /// <summary>A message the parser may buffer before the connection is dropped as broken.</summary>
    internal const int MaxMessageBytes = 4 * 1024 * 1024;

    internal static readonly TimeSpan FirstCeiling = TimeSpan.FromSeconds(1);

    private readonly EventsOptions _events = events.Value;

    /// <summary>Draws the jitter; replaceable so tests can pin the backoff sequence.</summary>
    internal Func<double> Random { get; init; } = System.Random.Shared.NextDouble;

    public async IAsyncEnumerable<StreamMessage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var backoff = new FullJitterBackoff(FirstCeiling, _events.MaxReconnectDelay);
        var resume = new StreamResumeState(_events.MaxReconnectDelay, logger);
        var attempt = 0;

        while (!cancellationToken.IsCancellationRequested)
        {
            if (attempt++ > 0)
            {
                counters.StreamReconnecting();
            }

            using var idle = new CancellationTokenSource(_events.IdleTimeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
            var (response, cause) = await ConnectAsync(resume.LastEventId, idle, linked.Token, cancellationToken);
            if (response is not null)
            {
                // The headers are bytes from the server too: silence is measured from here, not from
                // the dial, or a slow connect would eat into the idle timeout of the open stream.
                idle.CancelAfter(_events.IdleTimeout);
                using (response)
                {
                    var stream = new BoundedActivityStream(
                        await response.Content.ReadAsStreamAsync(linked.Token),
                        () => idle.CancelAfter(_events.IdleTimeout),
                        MaxMessageBytes);
                    var parser = SseParser.Create(stream, static (_, data) => Encoding.UTF8.GetString(data));
                    await using var items = parser.EnumerateAsync(linked.Token).GetAsyncEnumerator(linked.Token);
                    while (true)
                    {
                        (var hasItem, cause) = await MoveNextAsync(items, idle, cancellationToken);
                        if (!hasItem)
                        {
                            break;
                        }

                        backoff.Reset();
                        resume.Observe(parser);
                        var eventId = items.Current.EventId;
                        yield return new StreamMessage(items.Current.Data, StreamResumeState.IsSendable(eventId) ? eventId : null);
                    }

                    // A retry: field is not tied to a message: one sent just before the server hangs up counts too.
                    resume.Observe(parser);
                }

                counters.StreamDisconnected();
            }

            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            var delay = backoff.NextDelay(Random, resume.MinimumDelay);
            LogReconnecting(logger, cause, delay, resume.LastEventId);
            try
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private async Task<(HttpResponseMessage? Response, string Cause)> ConnectAsync(
        string? lastEventId, CancellationTokenSource idle, CancellationToken token, CancellationToken stop)
    {
        // Bounded: abandoned after the idle timeout without response headers (docs/protocol.md §10).
        using var step = progress?.Working(AgentLoops.Stream, AgentLoops.StreamConnectBound(_events.IdleTimeout));
        using var request = new HttpRequestMessage(HttpMethod.Get, url.For("stream"));
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Options.Set(AgentHeadersHandler.IsStream, true);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        HttpResponseMessage? response = null;
        try
        {
            response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            if (response.IsSuccessStatusCode)
            {
                counters.StreamConnected();
                LogConnected(logger, lastEventId);
                return (response, "closed by the server");
            }

            var status = (int)response.StatusCode;
            if (RedirectAnswer.IsRedirect(response))
            {
                // A failed connect like a 5xx: reconnected to the configured origin after the backoff (docs/adr/0041).
                var target = RedirectAnswer.TargetOrigin(response);
                response.Dispose();
                LogRedirectNotFollowed(logger, status, target);
                return (null, $"connect answered {status}, a redirect to {target} that was not followed");
            }

            response.Dispose();
            return (null, status is (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden
                ? $"credential rejected ({status})"
                : $"connect answered {status}");
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested && idle.IsCancellationRequested)
        {
            response?.Dispose();
            return (null, "connect timed out");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            response?.Dispose();
            return (null, "stopping");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or Credentials.CredentialUnavailableException)
        {
            response?.Dispose();
            return (null, $"connect failed ({ex.GetType().Name}: {ex.Message})");
        }
    }

    private async Task<(bool HasItem, string Cause)> MoveNextAsync(
        IAsyncEnumerator<SseItem<string>> items, CancellationTokenSource idle, CancellationToken stop)
    {
        try
        {
            return await items.MoveNextAsync() ? (true, string.Empty) : (false, "closed by the server");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return (false, "stopping");
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            LogIdle(logger, _events.IdleTimeout);
            return (false, $"silent for {_events.IdleTimeout}");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            return (false, $"read failed ({ex.GetType().Name}: {ex.Message})");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream connected (resuming after id {LastEventId})")]
    private static partial void LogConnected(ILogger logger, string? lastEventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event stream ended: {Cause}; reconnecting in {Delay} (resume id {LastEventId})")]
    private static partial void LogReconnecting(ILogger logger, string cause, TimeSpan delay, string? lastEventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event stream connect answered {StatusCode} with Location {Target}; the redirect was not followed")]
    private static partial void LogRedirectNotFollowed(ILogger logger, int statusCode, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event stream silent for {IdleTimeout}; replacing the connection")]
    private static partial void LogIdle(ILogger logger, TimeSpan idleTimeout);
}
