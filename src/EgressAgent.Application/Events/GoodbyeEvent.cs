using System.Text.Json.Serialization;
using EgressAgent.Application.Events.Dispatching;

namespace EgressAgent.Application.Events;

/// <summary>The orchestrator let this instance go. A missing or non-string reason is "unknown" (docs/protocol.md §4).</summary>
[OrchestratorEvent("goodbye")]
public sealed record GoodbyeEvent([property: JsonConverter(typeof(LenientStringConverter))] string? Reason = null) : IOrchestratorEvent
{
    public string ReasonOrUnknown => string.IsNullOrEmpty(Reason) ? "unknown" : Reason;
}
