using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Text;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Intake;

/// <summary>
/// Where work the orchestrator assigned enters the queue, from E1 or from a result's
/// <c>next_operation</c>. Invalid envelopes are logged and skipped; they never reach a worker.
/// Nothing starts once shutdown has cancelled running work (docs/protocol.md §10): work that still
/// arrives, piggybacked on a result flushed after E4, is logged and left to the orchestrator.
/// Nothing one envelope holds makes these methods throw (docs/protocol.md §10).
/// </summary>
internal sealed partial class AssignedWorkIntake(WorkQueue queue, PipelineTokens tokens, ILogger<AssignedWorkIntake> logger)
{
    private const int LoggedEnvelopeChars = 200;

    /// <summary>Takes work fetched with a slot already reserved; the slot is released when the work is not taken.</summary>
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
    /// past capacity (the poller then pauses). After goodbye, or once shutdown has cancelled
    /// running work, it is left to the orchestrator.
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
        envelope = null!;
        OperationEnvelope? read;
        try
        {
            read = OperationEnvelope.TryRead(fetched.Envelope);
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            // TryRead is written not to throw; should a case slip through, this envelope is lost, not the loop.
            LogUnreadableEnvelope(logger, source, ex.GetType().Name, Excerpt(fetched.Envelope));
            return false;
        }

        if (read is null)
        {
            LogInvalidEnvelope(logger, source, Excerpt(fetched.Envelope));
            return false;
        }

        if (tokens.DiscardAssignedWork)
        {
            LogLeftToOrchestrator(logger, read.OperationId);
            return false;
        }

        if (tokens.Work.IsCancellationRequested)
        {
            LogArrivedAfterWorkCancelled(logger, read.OperationId, source);
            return false;
        }

        LogAccepted(logger, read.OperationId, read.Path, source);
        envelope = read;
        return true;
    }

    /// <summary>The start of the envelope's JSON text, without copying a large envelope whole; escapes stay escapes, so it is safe to log.</summary>
    private static string Excerpt(JsonElement envelope)
    {
        if (envelope.ValueKind == JsonValueKind.Undefined)
        {
            return "(nothing)";
        }

        // Decodes a bounded head only: a 16 MiB envelope is not copied to log 200 characters of it.
        var raw = JsonMarshal.GetRawUtf8Value(envelope);
        const int maxBytes = LoggedEnvelopeChars * 4;
        var head = Encoding.UTF8.GetString(raw.Length <= maxBytes ? raw : raw[..maxBytes]);
        return raw.Length <= maxBytes && head.Length <= LoggedEnvelopeChars
            ? WellFormedText.Repair(head)
            : WellFormedText.Head(head, LoggedEnvelopeChars) + $"… ({raw.Length} bytes)";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping an invalid operation envelope from {Source} (operation_id and path must be non-empty strings of valid Unicode): {Envelope}")]
    private static partial void LogInvalidEnvelope(ILogger logger, string source, string envelope);

    [LoggerMessage(Level = LogLevel.Error, Message = "Skipping an operation envelope from {Source} that could not be read ({ErrorType}): {Envelope}")]
    private static partial void LogUnreadableEnvelope(ILogger logger, string source, string errorType, string envelope);

    [LoggerMessage(Level = LogLevel.Information, Message = "Operation {OperationId} arrived after goodbye; leaving it to the orchestrator")]
    private static partial void LogLeftToOrchestrator(ILogger logger, string operationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operation {OperationId} arrived from {Source} after shutdown cancelled running work; not running it (the orchestrator requeues it after the shutdown notification)")]
    private static partial void LogArrivedAfterWorkCancelled(ILogger logger, string operationId, string source);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted operation {OperationId} ({Path}) from {Source}")]
    private static partial void LogAccepted(ILogger logger, string operationId, string path, string source);
}
