using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace EgressAgent.Domain.Text;

/// <summary>
/// JSON from the orchestrator whose strings are not valid Unicode: escaped lone surrogates
/// (<c>"\ud800"</c>) or raw bytes that are not UTF-8. Such text parses, but System.Text.Json
/// throws <see cref="InvalidOperationException"/> from <c>GetString</c>, <c>WriteTo</c>,
/// <c>JsonObject.Create</c> and property lookups. Repairing once where the data enters (each
/// such string with U+FFFD in place of what cannot be decoded) makes everything after it safe.
/// </summary>
public static class WellFormedJson
{
    private const int MaxDepth = 256;

    /// <summary>
    /// The string value of <paramref name="element"/> with what cannot be decoded replaced by U+FFFD;
    /// null when it is not a JSON string.
    /// </summary>
    public static string? GetString(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            var raw = JsonMarshal.GetRawUtf8Value(element);
            return Unescape(raw[1..^1]);
        }
    }

    /// <summary>True when <paramref name="element"/> is a JSON string whose text is valid Unicode.</summary>
    public static bool IsValidString(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The value of the property named <paramref name="utf8Name"/> (the last one, as
    /// <see cref="JsonElement.TryGetProperty(ReadOnlySpan{byte}, out JsonElement)"/> picks): unlike
    /// that method, it does not throw when another property's name is not valid Unicode.
    /// </summary>
    public static bool TryGetProperty(JsonElement element, ReadOnlySpan<byte> utf8Name, out JsonElement value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var found = false;
        foreach (var property in element.EnumerateObject())
        {
            if (NameEquals(property, utf8Name))
            {
                value = property.Value;
                found = true;
            }
        }

        return found;
    }

    /// <summary>A name that cannot be decoded equals no name we look for.</summary>
    private static bool NameEquals(JsonProperty property, ReadOnlySpan<byte> utf8Name)
    {
        try
        {
            return property.NameEquals(utf8Name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// <paramref name="element"/> itself when every string and property name in it is valid
    /// Unicode (the common case, checked without copying), else a copy in which each is repaired.
    /// </summary>
    public static JsonElement Repair(JsonElement element) => Repair(element, values: true);

    /// <summary>
    /// Like <see cref="Repair(JsonElement)"/> for property names only; string values stay as they
    /// are. For readers with their own rule for a value that is not valid Unicode (an event's field
    /// is then "not a string"), whose lookups and deserialisers must not trip over an unrelated name.
    /// </summary>
    public static JsonElement RepairNames(JsonElement element) => Repair(element, values: false);

    private static JsonElement Repair(JsonElement element, bool values)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            return element;
        }

        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (!MayNeedRepair(raw))
        {
            return element;
        }

        var buffer = new ArrayBufferWriter<byte>(raw.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = MaxDepth }))
        {
            Rewrite(raw, writer, values);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = MaxDepth });
        return document.RootElement.Clone();
    }

    /// <summary>
    /// A string escape of a surrogate (<c>\uD800</c>–<c>\uDFFF</c>, paired or not) or bytes that are
    /// not UTF-8. Valid pairs are caught too; rewriting them changes nothing but the time spent.
    /// </summary>
    private static bool MayNeedRepair(ReadOnlySpan<byte> raw)
    {
        if (!Utf8.IsValid(raw))
        {
            return true;
        }

        var offset = 0;
        while (true)
        {
            var found = raw[offset..].IndexOf("\\u"u8);
            if (found < 0)
            {
                return false;
            }

            var i = offset + found + 2;
            if (i + 1 < raw.Length && (raw[i] | 0x20) == 'd' && IsHexAtLeast8(raw[i + 1]))
            {
                return true;
            }

            offset = i;
        }
    }

    private static bool IsHexAtLeast8(byte b) => b is (byte)'8' or (byte)'9' || (b | 0x20) is >= 'a' and <= 'f';

    private static void Rewrite(ReadOnlySpan<byte> raw, Utf8JsonWriter writer, bool values)
    {
        var reader = new Utf8JsonReader(raw, new JsonReaderOptions { MaxDepth = MaxDepth });
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject: writer.WriteStartObject(); break;
                case JsonTokenType.EndObject: writer.WriteEndObject(); break;
                case JsonTokenType.StartArray: writer.WriteStartArray(); break;
                case JsonTokenType.EndArray: writer.WriteEndArray(); break;
                case JsonTokenType.PropertyName: writer.WritePropertyName(ReadString(ref reader)); break;
                case JsonTokenType.String: WriteString(ref reader, writer, values); break;
                case JsonTokenType.Number: writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
                case JsonTokenType.True: writer.WriteBooleanValue(true); break;
                case JsonTokenType.False: writer.WriteBooleanValue(false); break;
                case JsonTokenType.Null: writer.WriteNullValue(); break;
                default: break;
            }
        }
    }

    private static void WriteString(ref Utf8JsonReader reader, Utf8JsonWriter writer, bool repair)
    {
        if (repair || IsReadable(ref reader))
        {
            writer.WriteStringValue(ReadString(ref reader));
            return;
        }

        // Kept as sent: the parser checked its escapes, so the output still parses.
        var quoted = new byte[reader.ValueSpan.Length + 2];
        quoted[0] = quoted[^1] = (byte)'"';
        reader.ValueSpan.CopyTo(quoted.AsSpan(1));
        writer.WriteRawValue(quoted, skipInputValidation: true);
    }

    private static bool IsReadable(ref Utf8JsonReader reader)
    {
        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string ReadString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return Unescape(reader.ValueSpan);
        }
    }

    /// <summary>
    /// Decodes the text between a JSON string's quotes as it was checked by the parser (escapes
    /// well-formed), with U+FFFD for bytes that are not UTF-8 and for lone surrogates.
    /// </summary>
    private static string Unescape(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length);
        while (true)
        {
            var backslash = raw.IndexOf((byte)'\\');
            text.Append(Encoding.UTF8.GetString(backslash < 0 ? raw : raw[..backslash]));
            if (backslash < 0 || backslash + 1 >= raw.Length)
            {
                break;
            }

            var escape = raw[backslash + 1];
            if (escape == 'u' && backslash + 5 < raw.Length
                && int.TryParse(raw.Slice(backslash + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                text.Append((char)code);
                raw = raw[(backslash + 6)..];
                continue;
            }

            text.Append(escape switch
            {
                (byte)'b' => '\b',
                (byte)'f' => '\f',
                (byte)'n' => '\n',
                (byte)'r' => '\r',
                (byte)'t' => '\t',
                _ => (char)escape,
            });
            raw = raw[(backslash + 2)..];
        }

        return WellFormedText.Repair(text.ToString());
    }
}
