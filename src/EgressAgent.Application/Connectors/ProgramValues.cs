using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Application.Connectors;

/// <summary>What the commands program says about values: emptiness (for <c>next</c> and the result) and the result's shape.</summary>
internal static class ProgramValues
{
    /// <summary>Python's falsiness, which the program's rules are written in: null, 0, "", false, [], {}, empty bytes.</summary>
    public static bool IsEmpty(object? value) => value switch
    {
        null => true,
        byte[] bytes => bytes.Length == 0,
        JsonArray array => array.Count == 0,
        JsonObject obj => obj.Count == 0,
        JsonValue json => json.GetValueKind() switch
        {
            JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined => true,
            JsonValueKind.String => json.GetValue<string>().Length == 0,
            JsonValueKind.Number => double.TryParse(json.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n == 0,
            _ => false,
        },
        _ => false,
    };

    /// <summary>
    /// The operation's payload from the program's last value: an empty value is <c>{}</c>, bytes the
    /// <c>__type__</c> shape; a program object (a cursor, a connection) is not a value and an error.
    /// </summary>
    public static JsonNode ToResult(object? value)
    {
        if (IsEmpty(value))
        {
            return new JsonObject();
        }

        return value switch
        {
            IProgramObject target => throw NotAValue(target),
            JsonNode { Parent: null } node => node,
            _ => WireValues.ToJson(value)!,
        };
    }

    /// <summary>A value placed inside a result object (<c>build_dict</c>): JSON as sent, bytes tagged; never a program object.</summary>
    public static JsonNode? ToMember(object? value) =>
        value is IProgramObject target ? throw NotAValue(target) : WireValues.ToJson(value);

    private static OperationFailedException NotAValue(IProgramObject target) =>
        new($"A program object ({ProgramObjects.NameOf(target)}) is not a value a result can hold", ConnectorErrorKinds.ProgramError)
        {
            ExceptionText = $"{ConnectorErrorKinds.ProgramError}: a program object ({ProgramObjects.NameOf(target)}) is not a value a result can hold",
        };
}
