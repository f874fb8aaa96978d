using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Health;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Text;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Execution;

/// <summary>
/// Turns one envelope into exactly one result, whatever the executor does; or into nothing when
/// shutdown cancelled it (the orchestrator requeues those after E4).
/// </summary>
internal sealed partial class OperationRunner(
    OperationRouter router,
    IOrchestratorApi orchestrator,
    TimeProvider timeProvider,
    ILogger<OperationRunner> logger,
    ILoopProgress? progress = null, // optional: rigs that do not watch liveness leave it out
    IObjectStoreSource? objectStorage = null) // optional: rigs without object storage leave it out
{
    public async Task<OperationResult?> RunAsync(OperationEnvelope envelope, CancellationToken shutdownToken)
    {
        if (shutdownToken.IsCancellationRequested)
        {
            return null;
        }

        var traceId = envelope.TraceId;
        JsonElement body;
        try
        {
            body = envelope.IsOversized
                ? await orchestrator.DownloadOperationAsync(envelope.OperationId, shutdownToken)
                : envelope.Operation;
        }
        catch (OperationCanceledException) when (shutdownToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            LogDownloadFailed(logger, envelope.OperationId, ex.GetType().Name);
            return ex.IsOutOfMemory()
                ? ResourceLimits.OutOfMemory("while downloading the operation body", traceId)
                : OperationResult.Failure($"Could not download operation body: {ex.Message}", ErrorKinds.DownloadFailed, traceId);
        }

        Prepared prepared;
        try
        {
            prepared = Prepare(envelope, body, traceId);
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            // Whatever the body holds, the operation still ends in its one result (docs/protocol.md §10).
            LogUnreadable(logger, envelope.OperationId, ex.GetType().Name);
            return ex.IsOutOfMemory()
                ? ResourceLimits.OutOfMemory("while reading the operation", traceId)
                : OperationResult.Failure($"Operation could not be read: {ex.Message}", ErrorKinds.InvalidOperation, traceId);
        }

        if (prepared.Failure is { } failure)
        {
            return failure;
        }

        var result = await ExecuteAsync(prepared.Executor!, prepared.Context!, prepared.Timeout, shutdownToken);

        // Offloading, compressing or refusing a large result is decided when it is sent, from its
        // stored size (docs/adr/0049); a failure is never uploaded in place of its message.
        var delivery = prepared.Delivery!;
        return result switch
        {
            null => null,
            _ when delivery.IsPlain => result,
            OperationResult.Failed when delivery.AsUrl => result with { Delivery = delivery with { AsUrl = false } },
            _ => result with { Delivery = delivery },
        };
    }

    /// <summary>Everything the executor needs, checked before it runs: a bad bound must not be found after the work is done.</summary>
    private Prepared Prepare(OperationEnvelope envelope, JsonElement body, string traceId)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return new(OperationResult.Failure("Operation body is not a JSON object", ErrorKinds.InvalidOperation, traceId));
        }

        // A downloaded body was not read through OperationEnvelope.TryRead: repair it here, or text
        // that is not valid Unicode would throw from every reader below (docs/protocol.md §10). An
        // inline body was repaired by TryRead already; scanning it again would only cost time.
        if (envelope.IsOversized)
        {
            body = WellFormedJson.Repair(body);
        }
        traceId = OperationEnvelope.TraceIdOf(body) ?? traceId;
        var executor = router.Find(envelope.Path);
        if (executor is null)
        {
            return new(OperationResult.Failure($"Unsupported operation path: {envelope.Path}", ErrorKinds.UnsupportedOperation, traceId));
        }

        var operation = JsonObject.Create(body)!;
        try
        {
            // A self-timed executor reads `timeout` as its own parameter and answers it itself; the
            // runner keeps a backstop just past it (docs/adr/0047).
            var timeout = executor is ISelfTimedExecutor selfTimed
                ? selfTimed.TimeoutOf(operation) + ISelfTimedExecutor.BackstopGrace
                : OperationFields.TimeoutOf(operation);
            var delivery = OperationFields.DeliveryOf(operation, traceId);
            if (delivery.AsUrl && objectStorage?.Store is null)
            {
                // Nowhere to put it: said before the work is done (docs/protocol.md §13).
                return new(OperationResult.Failure("Result storage is not configured", ErrorKinds.StorageNotConfigured, traceId));
            }

            return new(null, executor, new OperationContext(envelope.OperationId, envelope.Path, traceId, operation) { Credentials = envelope.Credentials }, timeout, delivery);
        }
        catch (OperationFailedException ex)
        {
            return new(OperationResult.Failure(ex.Message, ex.Kind, traceId));
        }
    }

    private async Task<OperationResult?> ExecuteAsync(IOperationExecutor executor, OperationContext context, TimeSpan? timeout, CancellationToken shutdownToken)
    {
        using var timeoutSource = timeout is { } t ? new CancellationTokenSource(t, timeProvider) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdownToken, timeoutSource.Token);
        // Only an operation with a timeout has a bound: without one it may rightly run for an hour.
        using var step = timeout is { } bound ? progress?.Working(AgentLoops.Workers, AgentLoops.OperationBound(bound)) : null;
        try
        {
            var payload = await executor.ExecuteAsync(context, linked.Token);
            return OperationResult.Success(payload, context.TraceId);
        }
        catch (OperationCanceledException) when (shutdownToken.IsCancellationRequested)
        {
            LogCancelledByShutdown(logger, context.OperationId);
            return null;
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            return OperationResult.Failure($"Operation timed out after {timeout!.Value.TotalSeconds:0.###} s", ErrorKinds.Timeout, context.TraceId);
        }
        catch (OperationFailedException ex)
        {
            return OperationResult.Failure(ex.Message, ex.Kind, context.TraceId, ex.ExceptionText, ex.Attributes);
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            // Out of memory included: the operation's stack is gone and what it allocated with it;
            // it ends in its one result and the worker goes on (docs/adr/0043).
            LogExecutorThrew(logger, context.OperationId, ex.GetType().Name);
            return ex.IsOutOfMemory()
                ? ResourceLimits.OutOfMemory("while running the operation", context.TraceId)
                : OperationResult.Failure(ex.Message, ex.GetType().Name, context.TraceId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operation {OperationId} could not be read ({ErrorType}); publishing an error result")]
    private static partial void LogUnreadable(ILogger logger, string operationId, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Downloading the body of operation {OperationId} failed ({ErrorType})")]
    private static partial void LogDownloadFailed(ILogger logger, string operationId, string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Operation {OperationId} was cancelled by shutdown; it gets no result")]
    private static partial void LogCancelledByShutdown(ILogger logger, string operationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Executor for operation {OperationId} threw {ErrorType}; publishing an error result")]
    private static partial void LogExecutorThrew(ILogger logger, string operationId, string errorType);

    /// <summary>An operation ready to run, or the result it ends in without running.</summary>
    private sealed record Prepared(
        OperationResult? Failure,
        IOperationExecutor? Executor = null,
        OperationContext? Context = null,
        TimeSpan? Timeout = null,
        ResultDelivery? Delivery = null);
}
