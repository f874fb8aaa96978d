using System.Text.Json.Serialization;
using EgressAgent.Application.Events;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// Every <see cref="OrchestratorEventAttribute"/> record, serialisable without reflection. The
/// catalog refuses to start when an event is missing here, so the list cannot silently fall behind.
/// </summary>
/// <remarks>
/// One list, not an attribute next to each record: the JSON generator emits a file per partial
/// declaration and fails on the duplicates, and it cannot see what another generator would add.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 32)]
[JsonSerializable(typeof(GoodbyeEvent))]
[JsonSerializable(typeof(HeartbeatEvent))]
[JsonSerializable(typeof(WelcomeEvent))]
[JsonSerializable(typeof(WorkAvailableEvent))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
