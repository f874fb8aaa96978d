using EgressAgent.Application.Health;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Capacity;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Lifecycle;

/// <summary>
/// Gives memory back once a burst of work is over (docs/adr/0033): when nothing has been queued,
/// run, finished or left undelivered for <see cref="QuietFor"/>, one blocking, compacting
/// collection of the whole heap hands the GC's emptied regions back to the system. Once per quiet
/// period: work that arrives starts a new period, and a busy agent is never collected this way.
/// </summary>
internal sealed partial class IdleMemoryTrim(
    InFlightCounter inFlight,
    AgentCounters counters,
    IResultOutbox outbox,
    TimeProvider timeProvider,
    ILogger<IdleMemoryTrim> logger,
    Action? compact = null) // tests count calls instead of collecting
    : IAgentLoop
{
    internal static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    /// <summary>Long enough that a pause between two requests of one burst is not "idle".</summary>
    internal static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(3);

    private readonly Action _compact = compact ?? CompactHeap;

    public string Name => AgentLoops.IdleTrim;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Start-up is work too: its garbage is trimmed after the first quiet period.
        var seen = Progress();
        var quietSince = timeProvider.GetTimestamp();
        var trimmed = false;
        try
        {
            while (true)
            {
                await Task.Delay(CheckEvery, timeProvider, cancellationToken);
                var progress = Progress();
                if (progress != seen || IsBusy)
                {
                    seen = progress;
                    quietSince = timeProvider.GetTimestamp();
                    trimmed = false;
                }
                else if (!trimmed && timeProvider.GetElapsedTime(quietSince) >= QuietFor)
                {
                    trimmed = true;
                    Trim();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private bool IsBusy => inFlight.InFlight > 0 || outbox.PendingCount > 0;

    /// <summary>Moves whenever an operation or a result delivery ends, even between two checks.</summary>
    private long Progress() =>
        counters.OperationsSucceeded + counters.OperationsFailed + counters.OperationsCancelled
        + counters.ResultsDelivered + counters.ResultsDropped;

    private void Trim()
    {
        var started = timeProvider.GetTimestamp();
        _compact();
        LogTrimmed(logger, QuietFor.TotalSeconds, timeProvider.GetElapsedTime(started).TotalMilliseconds, GC.GetTotalMemory(forceFullCollection: false));
    }

    private static void CompactHeap() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Idle for {QuietSeconds} s: heap compacted and emptied memory returned in {ElapsedMs:0.0} ms ({HeapBytes} bytes in use)")]
    private static partial void LogTrimmed(ILogger logger, double quietSeconds, double elapsedMs, long heapBytes);
}
