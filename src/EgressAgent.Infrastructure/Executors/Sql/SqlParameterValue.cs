using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// One bound parameter: a name (written <c>@name</c> in the query) and a CLR value converted
/// from JSON. Values are always bound, never put into the query text.
/// </summary>
internal sealed record SqlParameterValue(string Name, object Value)
{
    /// <summary>
    /// The <c>parameters</c> object: string, integer (long), other numbers (double), boolean and
    /// null as they are; the tagged shapes of docs/protocol.md §5.3 (decimal, datetime, date, time, bytes) as
    /// the CLR type they stand for. A key may carry the query's prefix (<c>@id</c>, <c>:id</c>, <c>$id</c>).
    /// </summary>
    public static IReadOnlyList<SqlParameterValue> ListFrom(JsonNode? parameters)
    {
        if (parameters is null)
        {
            return [];
        }

        if (parameters is not JsonObject values)
        {
            throw Invalid("'parameters' must be an object of name to value");
        }

        var list = new List<SqlParameterValue>(values.Count);
        foreach (var (key, value) in values)
        {
            var name = key.TrimStart('@', ':', '$');
            if (!IsIdentifier(name))
            {
                throw Invalid($"Parameter name '{key}' must be a letter or underscore followed by letters, digits or underscores");
            }

            if (list.Exists(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw Invalid($"Parameter '{name}' is given twice");
            }

            list.Add(new SqlParameterValue(name, ClrValueOf(name, value)));
        }

        return list;
    }

    /// <summary>
    /// One JSON value as the CLR value it binds as (<see cref="DBNull"/> for null); shared with the
    /// connectors' cursors (docs/protocol.md §12.2), whose <c>params</c> carry the same shapes.
    /// </summary>
    internal static object ClrValueOf(string name, JsonNode? node) => node switch
    {
        null => DBNull.Value,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when JsonNumbers.TryGetInt64(value, out var integer) => integer,
            JsonValueKind.Number when JsonNumbers.TryGetDouble(value, out var real) => real,
            JsonValueKind.Null => DBNull.Value,
            _ => throw Invalid($"Parameter '{name}' is a number out of range"),
        },
        JsonObject tagged when tagged.Count == 2 && tagged["__type__"] is JsonValue type && tagged["__data__"] is JsonValue data
            && type.GetValueKind() == JsonValueKind.String && data.GetValueKind() == JsonValueKind.String =>
            FromTagged(name, type.GetValue<string>(), data.GetValue<string>()),
        _ => throw Invalid($"Parameter '{name}' must be a string, number, boolean, null or a tagged value ({{\"__type__\", \"__data__\"}})"),
    };

    private static object FromTagged(string name, string type, string data)
    {
        var invariant = CultureInfo.InvariantCulture;
        try
        {
            return type switch
            {
                "decimal" => decimal.Parse(data, NumberStyles.Float, invariant),
                "date" => DateOnly.ParseExact(data, "yyyy-MM-dd", invariant),
                "time" => TimeOnly.Parse(data, invariant),
                "datetime" => DateTimeOf(data),
                "bytes" => Convert.FromBase64String(data),
                _ => throw Invalid($"Parameter '{name}' has an unknown __type__ '{type}' (decimal, datetime, date, time or bytes)"),
            };
        }
        catch (FormatException)
        {
            throw Invalid($"Parameter '{name}': '{data}' is not a valid {type}");
        }
        catch (OverflowException)
        {
            throw Invalid($"Parameter '{name}': '{data}' is out of range for {type}");
        }
    }

    /// <summary>With an offset or Z: a UTC instant (timestamptz); without: a date and time of no zone (timestamp).</summary>
    private static DateTime DateTimeOf(string data)
    {
        var parsed = DateTime.Parse(data, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        return parsed.Kind == DateTimeKind.Local ? parsed.ToUniversalTime() : parsed;
    }

    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= 63
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static OperationFailedException Invalid(string message) => new(message, ErrorKinds.InvalidOperation);
}
