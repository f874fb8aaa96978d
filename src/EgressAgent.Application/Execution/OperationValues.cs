using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Domain.Text;

namespace EgressAgent.Application.Execution;

/// <summary>Names a value an operation carried, short and safe, for an error message that goes back to the orchestrator.</summary>
internal static class OperationValues
{
    private const int MaxChars = 40;

    public static string Describe(JsonNode? node, bool present = true) => node switch
    {
        null => present ? "null" : "missing",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => "the string " + WellFormedText.Excerpt(value.ToJsonString(), MaxChars),
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => WellFormedText.Excerpt(value.ToJsonString(), MaxChars),
        },
        _ => "an unreadable value",
    };
}
