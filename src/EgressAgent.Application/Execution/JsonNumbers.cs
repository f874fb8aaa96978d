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

    /// <summary>
    /// A whole number, however written: <c>5</c>, <c>5.0</c>, <c>5e2</c>. False for fractions, for
    /// numbers beyond <see cref="long"/> and for anything that is not a JSON number.
    /// </summary>
    public static bool TryGetWholeNumber(JsonNode? node, out long number)
    {
        if (TryGetInt64(node, out number))
        {
            return true;
        }

        // decimal holds every long exactly, so a long written as "5.0" or "5e2" is read without rounding.
        if (IsNumber(node)
            && decimal.TryParse(node!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value == decimal.Truncate(value)
            && value >= long.MinValue
            && value <= long.MaxValue)
        {
            number = (long)value;
            return true;
        }

        number = 0;
        return false;
    }

    public static bool TryGetDouble(JsonNode? node, out double number)
    {
        number = 0;
        return IsNumber(node) && double.TryParse(node!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
    }
}
