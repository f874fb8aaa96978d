using System.Text.Json;
using System.Text.Json.Serialization;
using EgressAgent.Application.Events;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>How event payloads are read: snake_case wire names onto PascalCase records.</summary>
internal static class EventJson
{
    /// <summary>
    /// Larger messages are logged and skipped before parsing. No event of the contract comes
    /// near it; the cap keeps a hostile or broken server from making the agent parse megabytes.
    /// </summary>
    public const int MaxMessageChars = 64 * 1024;

    /// <summary>Source-generated metadata only (<see cref="EventJsonContext"/>): the native agent has no reflection-based JSON.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 32,
        TypeInfoResolver = EventJsonContext.Default,
    };
}

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

/// <summary>Reads a string when the value is one, and null for any other JSON value instead of failing.</summary>
public sealed class LenientStringConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            try
            {
                return reader.GetString();
            }
            catch (InvalidOperationException)
            {
                // An escaped lone surrogate ("\ud800") is valid JSON but no valid string: treat it as
                // "not a string" rather than failing the whole event (a goodbye must not be lost).
                return null;
            }
        }

        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
