using EgressAgent.Application.Health;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Capacity;
using EgressAgent.Domain.Faults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Lifecycle;

/// <summary>
/// Keeps a saturated agent visibly alive (docs/protocol.md §6.2): while the poller is paused, sends E3
/// so the gap since the last REST request never exceeds <c>Heartbeat:Interval</c>. Runs on its
/// own loop, so it never waits behind the poller, a worker or the publisher, and it does not
/// depend on the stream. The gap is measured on the monotonic clock (docs/adr/0042).
/// </summary>
internal sealed partial class HeartbeatPump(
    IOrchestratorApi orchestrator,
    InFlightCounter inFlight,
    RequestActivity activity,
    AgentCounters counters,
    IOptions<HeartbeatOptions> heartbeat,
    IOptions<EndpointTimeoutOptions> timeouts,
    TimeProvider timeProvider,
    ILogger<HeartbeatPump> logger,
    IStorageHealth storage,
    ILoopProgress? progress = null) // optional: rigs that do not watch liveness leave it out
    : RestartingLoop(logger, progress)
{
    /// <summary>Sent this much before the interval is up, so the request lands inside the bound.</summary>
    internal static readonly TimeSpan Lead = TimeSpan.FromMilliseconds(500);

    /// <summary>After an unexpected failure (not a failed heartbeat, which the next beat retries).</summary>
    internal static readonly TimeSpan FailurePause = TimeSpan.FromMilliseconds(250);

    /// <summary>When a beat falls due: <see cref="Lead"/> before the interval is up.</summary>
    private readonly TimeSpan _target = heartbeat.Value.Interval > Lead * 2 ? heartbeat.Value.Interval - Lead : heartbeat.Value.Interval / 2;
    private readonly TimeSpan _beatBound = AgentLoops.HeartbeatBound(timeouts.Value);
    private readonly LevelTriggeredSignal _beatNow = new();

    /// <summary>Answers the server's <c>heartbeat</c> event: beat at once if saturated.</summary>
    public void RequestBeat() => _beatNow.Set();

    public override string Name => AgentLoops.Heartbeat;

    protected override Task RoundAsync(CancellationToken stop) => BeatWhenDueAsync(_target, stop);

    /// <summary>At once after a round; after an unexpected failure a short pause, so a fault that repeats cannot spin a core.</summary>
    protected override Task BetweenRoundsAsync(bool failed, CancellationToken stop) =>
        failed ? Task.Delay(FailurePause, timeProvider, stop) : Task.CompletedTask;

    /// <summary>Waits until a beat falls due (or the server asks for one) and beats if saturated.</summary>
    private async Task BeatWhenDueAsync(TimeSpan target, CancellationToken cancellationToken)
    {
        // On the monotonic clock: a wall-clock step back must not stretch the gap (docs/adr/0042).
        var last = activity.LastRequestTimestamp;
        var sinceLast = timeProvider.GetElapsedTime(last);
        var wait = sinceLast >= target ? target : target - sinceLast;
        var requested = await _beatNow.WaitAsync(wait, timeProvider, cancellationToken);

        // The wait ends when the beat falls due, unless a request came meanwhile. Reading the
        // clock again instead skipped a beat (a gap of two targets) whenever the timer fired a
        // fraction of a millisecond early: not due here, already overdue at the loop's top.
        var due = activity.LastRequestTimestamp == last;
        // Intake paused for storage makes no E1 either, so it needs the beats too (docs/adr/0014).
        if ((inFlight.IsSaturated || storage.IsDegraded) && (requested || due))
        {
            await BeatAsync(cancellationToken);
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        using var step = Step(_beatBound);
        try
        {
            await orchestrator.HeartbeatAsync(cancellationToken);
            counters.HeartbeatSent();
            LogBeat(logger, inFlight.InFlight, inFlight.Capacity);
        }
        catch (Exception ex) when (ex.IsRecoverable() && !cancellationToken.IsCancellationRequested)
        {
            // Any exception, not only HTTP ones: the next beat is the retry.
            LogBeatFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Backpressure heartbeat sent ({InFlight}/{Capacity} in flight)")]
    private static partial void LogBeat(ILogger logger, int inFlight, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat failed ({ErrorType}: {Error}); the next beat is the retry")]
    private static partial void LogBeatFailed(ILogger logger, string errorType, string error);
}
