using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EgressAgent.Application.Execution;

/// <summary>
/// Numbers of an operation, read from their JSON text: a node parsed from the wire and a node
/// built in code (an int, a double) read alike, which <c>JsonValue.TryGetValue</c> does not.
/// For executors reading their operation's fields.
/// </summary>
public static class JsonNumbers
{
    public static bool IsNumber(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.Number;

    public static bool TryGetInt64(JsonNode? node, out long number)
    {
        number = 0;
        return IsNumber(node) && long.TryParse(node!.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
    }

    public static bool TryGetDouble(JsonNode? node, out double number)
    {
        number = 0;
        return IsNumber(node) && double.TryParse(node!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
    }
}
