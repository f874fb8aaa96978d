using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EgressAgent.Application.Execution;

/// <summary>
/// CLR values to JSON, with the tagged shapes of docs/protocol.md §5.3 and §12.3 for what JSON
/// cannot say: date/time, decimal (exactness), and bytes. <see cref="ToJson"/> builds a node;
/// <see cref="Write"/> writes the same JSON straight to a writer (large results, no node per value).
/// Date-times are ISO-8601 as Python's <c>isoformat</c> writes them (the agent we replace): an
/// offset only when the value has one (<see cref="DateTimeKind.Utc"/> is <c>+00:00</c>, an
/// unspecified kind has none), fractional seconds only when non-zero, in microseconds
/// (<c>2024-05-01T12:00:00.123000</c>); times likewise (<c>10:59:00</c>). Decimals keep their
/// digits and scale (<c>10.50</c>); NaN and infinities are the strings <c>NaN</c>, <c>Infinity</c>
/// and <c>-Infinity</c>; UUIDs, intervals and other driver types are their invariant text.
/// A string or byte string over <see cref="ResourceLimits.MaxValueBytes"/> is refused with a
/// <c>ResourceExhausted</c> failure before anything is written for it (docs/adr/0043).
/// </summary>
public static class WireValues
{
    public static JsonNode? ToJson(object? value) => value switch
    {
        null or DBNull => null,
        string s => JsonValue.Create(Capped(s)),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        short s16 => JsonValue.Create(s16),
        byte u8 => JsonValue.Create(u8),
        sbyte i8 => JsonValue.Create(i8),
        ushort u16 => JsonValue.Create(u16),
        uint u32 => JsonValue.Create(u32),
        ulong u64 => JsonValue.Create(u64),
        double d => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        float f => float.IsFinite(f) ? JsonValue.Create(f) : JsonValue.Create(f.ToString(CultureInfo.InvariantCulture)),
        char c => JsonValue.Create(c.ToString()),
        JsonNode node => node.DeepClone(),
        _ when TagOf(value) is { } tag => Tagged(tag.Type, tag.Data),
        IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(ToJson)]),
        _ => JsonValue.Create(TextOf(value)),
    };

    /// <summary>Writes <paramref name="value"/> as <see cref="ToJson"/> would render it.</summary>
    public static void Write(Utf8JsonWriter writer, object? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (value)
        {
            case null or DBNull: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(Capped(s)); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case short s16: writer.WriteNumberValue(s16); break;
            case byte u8: writer.WriteNumberValue(u8); break;
            case sbyte i8: writer.WriteNumberValue(i8); break;
            case ushort u16: writer.WriteNumberValue(u16); break;
            case uint u32: writer.WriteNumberValue(u32); break;
            case ulong u64: writer.WriteNumberValue(u64); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case double d: writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            case float f: writer.WriteStringValue(f.ToString(CultureInfo.InvariantCulture)); break;
            case char c: writer.WriteStringValue(c.ToString()); break;
            case JsonNode node: node.WriteTo(writer); break;
            default: WriteOther(writer, value); break;
        }
    }

    private static void WriteOther(Utf8JsonWriter writer, object value)
    {
        if (TagOf(value) is { } tag)
        {
            writer.WriteStartObject();
            writer.WriteString("__type__", tag.Type);
            writer.WriteString("__data__", tag.Data);
            writer.WriteEndObject();
        }
        else if (value is IEnumerable items)
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                Write(writer, item);
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteStringValue(TextOf(value));
        }
    }

    /// <summary>The tagged shape's type and data, or null for values JSON can say.</summary>
    private static (string Type, string Data)? TagOf(object value) => value switch
    {
        decimal m => ("decimal", m.ToString(CultureInfo.InvariantCulture)),
        DateTime dt => ("datetime", IsoDateTime(dt)),
        DateTimeOffset dto => ("datetime", IsoDateTime(dto.DateTime, dto.Offset)),
        DateOnly date => ("date", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TimeOnly time => ("time", IsoTime(time)),
        byte[] bytes => ("bytes", Convert.ToBase64String(Capped(bytes).Span)),
        ReadOnlyMemory<byte> memory => ("bytes", Convert.ToBase64String(Capped(memory).Span)),
        _ => null,
    };

    private static string Capped(string value) =>
        value.Length <= ResourceLimits.MaxValueBytes ? value : throw ResourceLimits.ValueTooLarge("string", value.Length);

    private static ReadOnlyMemory<byte> Capped(ReadOnlyMemory<byte> value) =>
        value.Length <= ResourceLimits.MaxValueBytes ? value : throw ResourceLimits.ValueTooLarge("bytes", value.Length);

    /// <summary>A local date-time is written with the machine's offset; a UTC one with <c>+00:00</c>; an unspecified one without.</summary>
    private static string IsoDateTime(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => IsoDateTime(value, TimeSpan.Zero),
        DateTimeKind.Local => IsoDateTime(value, TimeZoneInfo.Local.GetUtcOffset(value)),
        _ => IsoDateTime(value, null),
    };

    private static string IsoDateTime(DateTime value, TimeSpan? offset)
    {
        var text = value.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + Fraction(value.Ticks);
        if (offset is not { } o)
        {
            return text;
        }

        var sign = o < TimeSpan.Zero ? '-' : '+';
        var magnitude = o.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{text}{sign}{magnitude.Hours + (magnitude.Days * 24):00}:{magnitude.Minutes:00}");
    }

    private static string IsoTime(TimeOnly value) => value.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + Fraction(value.Ticks);

    /// <summary><c>.ffffff</c> (microseconds, as Python keeps them) when the value has a fraction of a second; nothing otherwise.</summary>
    private static string Fraction(long ticks)
    {
        var microseconds = ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond;
        return microseconds == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $".{microseconds:000000}");
    }

    private static string? TextOf(object value) => value switch
    {
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        Guid guid => guid.ToString("D"),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>The tagged shape <c>{"__type__": type, "__data__": data}</c> of docs/protocol.md §5.3 and §12.3, for values a driver reads itself (exact decimals beyond <see cref="decimal"/>).</summary>
    public static JsonObject Tagged(string type, string data) => new()
    {
        ["__type__"] = type,
        ["__data__"] = data,
    };
}
