using System.Text.Json.Serialization;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Lifecycle;

namespace EgressAgent.Application.Events;

/// <summary>The orchestrator let this instance go. A missing or non-string reason is "unknown" (docs/protocol.md §4).</summary>
[OrchestratorEvent("goodbye")]
public sealed record GoodbyeEvent([property: JsonConverter(typeof(LenientStringConverter))] string? Reason = null) : IOrchestratorEvent
{
    public string ReasonOrUnknown => string.IsNullOrEmpty(Reason) ? "unknown" : Reason;
}

/// <summary>Starts the shutdown sequence without waiting for it: the sequence closes the stream this runs on.</summary>
internal sealed class GoodbyeHandler(IShutdownCoordinator shutdown) : IOrchestratorEventHandler<GoodbyeEvent>
{
    public Task Handle(GoodbyeEvent notification, CancellationToken cancellationToken)
    {
        shutdown.RequestShutdown(ShutdownTrigger.Goodbye, notification.ReasonOrUnknown);
        return Task.CompletedTask;
    }
}
