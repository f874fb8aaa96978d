using EgressAgent.Application.Ports;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Pipeline;

/// <summary>
/// Where work the orchestrator assigned enters the queue, from E1 or from a result's
/// <c>next_operation</c>. Invalid envelopes are logged and skipped; they never reach a worker.
/// </summary>
internal sealed partial class AssignedWorkIntake(WorkQueue queue, PipelineTokens tokens, ILogger<AssignedWorkIntake> logger)
{
    /// <summary>Takes work fetched with a slot already reserved.</summary>
    public void AcceptReserved(FetchedOperation fetched, string source)
    {
        if (!TryRead(fetched, source, out var envelope))
        {
            queue.ReleaseSlot();
            return;
        }

        queue.Enqueue(envelope);
    }

    /// <summary>
    /// Takes piggybacked work: already assigned to this instance, so it is always counted, even
    /// past capacity (the poller then pauses). After goodbye it is left to the orchestrator.
    /// </summary>
    public void AcceptAssigned(FetchedOperation fetched, string source)
    {
        if (!TryRead(fetched, source, out var envelope))
        {
            return;
        }

        queue.InFlight.Admit();
        queue.Enqueue(envelope);
    }

    private bool TryRead(FetchedOperation fetched, string source, out OperationEnvelope envelope)
    {
        envelope = OperationEnvelope.TryRead(fetched.Envelope)!;
        if (envelope is null)
        {
            LogInvalidEnvelope(logger, source, Truncate(fetched.Envelope.GetRawText()));
            return false;
        }

        if (tokens.DiscardAssignedWork)
        {
            LogLeftToOrchestrator(logger, envelope.OperationId);
            return false;
        }

        LogAccepted(logger, envelope.OperationId, envelope.Path, source);
        return true;
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping an invalid operation envelope from {Source} (operation_id and path must be non-empty strings): {Envelope}")]
    private static partial void LogInvalidEnvelope(ILogger logger, string source, string envelope);

    [LoggerMessage(Level = LogLevel.Information, Message = "Operation {OperationId} arrived after goodbye; leaving it to the orchestrator")]
    private static partial void LogLeftToOrchestrator(ILogger logger, string operationId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted operation {OperationId} ({Path}) from {Source}")]
    private static partial void LogAccepted(ILogger logger, string operationId, string path, string source);
}
