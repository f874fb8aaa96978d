using System.Text.Json;
using System.Text.Json.Serialization;

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
