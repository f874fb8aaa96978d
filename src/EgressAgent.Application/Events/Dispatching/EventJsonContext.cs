using System.Text.Json.Serialization;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// Every <see cref="OrchestratorEventAttribute"/> record, serialisable without reflection (the
/// native agent decodes events with generated metadata only, docs/adr/0026). The list of records
/// is generated at build time (build/EventJsonContext.targets, docs/adr/0052): a new event is new
/// files only. The catalog still refuses to start when an event has no metadata here.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 32)]
internal sealed partial class EventJsonContext : JsonSerializerContext;
