using System.Diagnostics;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Execution;

/// <summary>
/// <c>Operations:Workers</c> loops taking work from the queue. A finished result goes to the
/// durable outbox before its slot is freed, so a crash after that point loses nothing, and
/// publishing never holds a worker. While storage fails, the worker keeps its result and its
/// slot and retries (docs/adr/0014). Whatever one operation throws, the worker goes on; a worker
/// loop that ends with an exception anyway is replaced by <see cref="WorkerSupervisor"/> (docs/adr/0043).
/// </summary>
internal sealed partial class WorkerPool(
    WorkQueue queue,
    OperationRunner runner,
    DurableResultWriter writer,
    ResultPublisher publisher,
    WorkSignal workSignal,
    PipelineTokens tokens,
    AgentCounters counters,
    WorkerSupervisor supervisor,
    IOptions<OperationsOptions> options,
    ILogger<WorkerPool> logger) : IAgentLoop
{
    public string Name => AgentLoops.Workers;

    public Task RunAsync(CancellationToken cancellationToken) =>
        supervisor.RunAsync(options.Value.Workers, life => WorkAsync(life, cancellationToken), cancellationToken);

    private async Task WorkAsync(WorkerSupervisor.Life life, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var envelope in queue.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await RunOneAsync(envelope);
                }
                catch (Exception ex) when (ex.IsRecoverable())
                {
                    // No single item stops the loop (docs/protocol.md §10): a worker that died here would
                    // take a slot of capacity with it for the rest of the process.
                    LogItemFailed(logger, envelope.OperationId, ex.GetType().Name, ex.Message);
                }

                life.FinishedOne();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host stopped after the shutdown sequence: nothing left to do.
        }
    }

    private async Task RunOneAsync(OperationEnvelope envelope)
    {
        using var scope = OperationScope(logger, envelope.OperationId, envelope.TraceId);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var result = await runner.RunAsync(envelope, tokens.Work);
            Count(result, Stopwatch.GetElapsedTime(started));

            // Shutdown cancelling running work is the one thing that ends the wait for storage.
            if (result is not null && await writer.StoreAsync(envelope.OperationId, result, tokens.Work))
            {
                publisher.Notify();
                LogCompleted(logger, envelope.OperationId, result is OperationResult.Succeeded ? "success" : "error");
            }
        }
        finally
        {
            if (queue.ReleaseSlot())
            {
                workSignal.Signal();
            }
        }
    }

    private void Count(OperationResult? result, TimeSpan duration)
    {
        switch (result)
        {
            case null: counters.OperationCancelled(); break;
            case OperationResult.Succeeded: counters.OperationSucceeded(); break;
            default: counters.OperationFailed(); break;
        }

        if (result is not null)
        {
            counters.OperationDuration(duration, result is OperationResult.Succeeded);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Operation {OperationId} finished with {Outcome}")]
    private static partial void LogCompleted(ILogger logger, string operationId, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling operation {OperationId} failed unexpectedly ({ErrorType}: {Error}); the worker goes on")]
    private static partial void LogItemFailed(ILogger logger, string operationId, string errorType, string error);

    /// <summary>Tags every record logged while the operation runs, on any thread it continues on (JSON logs, docs/protocol.md §11).</summary>
    private static readonly Func<ILogger, string, string, IDisposable?> OperationScope =
        LoggerMessage.DefineScope<string, string>("Operation {operation_id} (trace {trace_id})");
}
