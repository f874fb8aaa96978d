using System.Globalization;
using System.Text.Json.Nodes;

namespace EgressAgent.Application.Execution;

/// <summary>
/// CLR values to JSON, with the tagged shapes of contract §5.3 for what JSON cannot say:
/// date/time, decimal (exactness), and bytes.
/// </summary>
public static class WireValues
{
    public static JsonNode? ToJson(object? value) => value switch
    {
        null or DBNull => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        short s16 => JsonValue.Create(s16),
        byte u8 => JsonValue.Create(u8),
        double d => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        float f => float.IsFinite(f) ? JsonValue.Create(f) : JsonValue.Create(f.ToString(CultureInfo.InvariantCulture)),
        decimal m => Tagged("decimal", m.ToString(CultureInfo.InvariantCulture)),
        DateTime dt => Tagged("datetime", dt.ToString("O", CultureInfo.InvariantCulture)),
        DateTimeOffset dto => Tagged("datetime", dto.ToString("O", CultureInfo.InvariantCulture)),
        DateOnly date => Tagged("date", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TimeOnly time => Tagged("time", time.ToString("O", CultureInfo.InvariantCulture)),
        TimeSpan span => JsonValue.Create(span.ToString("c", CultureInfo.InvariantCulture)),
        byte[] bytes => Tagged("bytes", Convert.ToBase64String(bytes)),
        Guid guid => JsonValue.Create(guid.ToString("D")),
        JsonNode node => node.DeepClone(),
        IFormattable formattable => JsonValue.Create(formattable.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };

    private static JsonObject Tagged(string type, string data) => new()
    {
        ["__type__"] = type,
        ["__data__"] = data,
    };
}
