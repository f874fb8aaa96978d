using EgressAgent.Application.Health;
using EgressAgent.Domain.Faults;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Execution;

/// <summary>
/// Keeps the worker loops running (docs/adr/0043). A loop catches whatever one operation throws,
/// so it should end only at shutdown; when one ends with an exception anyway (a logger that throws
/// while reporting a failure, memory running out between two operations), the failure is logged
/// and a new loop takes its place at once, so the workers that run are as many as the capacity the
/// poller counts. A worker that dies <see cref="MaxDeathsInARow"/> times without finishing an
/// operation in between cannot be replaced usefully: it is reported dead through
/// <see cref="ILoopProgress"/>, <c>/livez</c> fails, and the restart a probe brings is the cure.
/// </summary>
internal sealed partial class WorkerSupervisor(
    ILogger<WorkerSupervisor> logger,
    ILoopProgress? progress = null) // optional: rigs that do not watch liveness leave it out
{
    /// <summary>Deaths in a row, with no operation finished between them, after which a worker is not replaced again.</summary>
    public const int MaxDeathsInARow = 3;

    /// <summary>Runs <paramref name="workers"/> loops of <paramref name="work"/> until each returns; a loop that throws is replaced.</summary>
    public Task RunAsync(int workers, Func<Life, Task> work, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(1, workers).Select(worker => SuperviseAsync(worker, work, cancellationToken)));

    private async Task SuperviseAsync(int worker, Func<Life, Task> work, CancellationToken cancellationToken)
    {
        var deathsInARow = 0;
        while (true)
        {
            var life = new Life();
            try
            {
                await Task.Run(() => work(life), CancellationToken.None);
                return; // the host stopped or the queue was completed
            }
            catch (Exception ex) when (ex.IsRecoverable())
            {
                deathsInARow = life.Finished > 0 ? 1 : deathsInARow + 1;
                if (cancellationToken.IsCancellationRequested)
                {
                    LogDiedAtShutdown(logger, worker, ex.GetType().Name, ex.Message);
                    return;
                }

                if (deathsInARow >= MaxDeathsInARow)
                {
                    var reason = $"worker {worker} died {deathsInARow} times in a row without finishing an operation ({ex.GetType().Name}: {ex.Message}); not replaced";
                    LogNotReplaced(logger, ex, worker, deathsInARow);
                    progress?.Dead(AgentLoops.Workers, reason);
                    return;
                }

                LogReplaced(logger, ex, worker, ex.GetType().Name, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {Worker} died ({ErrorType}: {Error}); a new worker takes its place")]
    private static partial void LogReplaced(ILogger logger, Exception exception, int worker, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Worker {Worker} died {Deaths} times in a row without finishing an operation; it is not replaced and the agent reports itself not alive (/livez)")]
    private static partial void LogNotReplaced(ILogger logger, Exception exception, int worker, int deaths);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Worker} died during shutdown ({ErrorType}: {Error})")]
    private static partial void LogDiedAtShutdown(ILogger logger, int worker, string errorType, string error);

    /// <summary>One life of a worker loop: what it finished, so that a worker that does work between deaths is always replaced.</summary>
    internal sealed class Life
    {
        private int _finished;

        public int Finished => Volatile.Read(ref _finished);

        public void FinishedOne() => Interlocked.Increment(ref _finished);
    }
}
