using System.Globalization;
using System.Text;

namespace EgressAgent.Infrastructure.Tests.Fuzz;

/// <summary>
/// Seeded generator of stream message data: valid events and every way a server could get one
/// wrong — truncated, mutated, random bytes, deep nesting, huge strings, wrong field types,
/// unknown types, non-object roots, duplicated keys, escapes and broken UTF-16.
/// </summary>
internal sealed class FuzzInputGenerator(int seed)
{
    private static readonly string[] EventTypes = ["welcome", "heartbeat", "work_available", "goodbye"];

    private static readonly string[] NearTypes =
    [
        "Welcome", "WELCOME", "welcome ", " welcome", "work-available", "workavailable", "WorkAvailable", "good bye",
        "", "heartbeat\u0000", "hello", "type", "null", "w\u00EBlcome", "goodbye\n", "message", "welcome_", "\u0000",
    ];

    private static readonly string[] FieldNames =
    [
        "type", "agent_id", "ts", "reason", "agentId", "AgentId", "Agent_Id", "reason_or_unknown", "ReasonOrUnknown",
        "id", "data", "__proto__", "", "ts ", "TYPE", "Type", "REASON", "next_operation", "operation_id",
    ];

    private static readonly string[] ValidNumbers =
    [
        "0", "-0", "1", "-17", "3.14", "1e10", "1E-5", "2.5e+3", "123456789012345678901234567890", "1e400", "-1.5e-400", "1700000000",
    ];

    private static readonly string[] InvalidNumbers = ["01", "1.", ".5", "+1", "NaN", "Infinity", "-", "1e", "0x10", "1_000"];

    private static readonly string[] Whitespace = [" ", "\t", "\n", "\r", "\r\n", "  "];

    private static readonly char[] Significant = ['{', '}', '[', ']', '"', ':', ',', '\\', ' ', 'u', '0', 'e', '-', '.', 'n', 't', 'f'];

    private static readonly System.Buffers.SearchValues<char> NeedsEscape =
        System.Buffers.SearchValues.Create("\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    private readonly Random _random = new(seed);

    public string Next() => _random.Next(100) switch
    {
        < 24 => ValidEvent(),
        < 36 => WrongFieldTypes(),
        < 45 => Truncated(),
        < 57 => Mutated(),
        < 62 => RandomUtf8(),
        < 68 => DeepNesting(),
        < 70 => HugeStrings(),
        < 75 => UnknownType(),
        < 82 => NonObjectRoot(),
        < 90 => DuplicatedKeys(),
        < 96 => EscapesAndUnicode(),
        _ => RandomObject(),
    };

    /// <summary>A string any generator might emit as text: plain, unicode, control characters, broken UTF-16.</summary>
    public string RandomText(int maxLength)
    {
        var length = _random.Next(maxLength + 1);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(_random.Next(20) switch
            {
                0 => (char)_random.Next(0, 0x20), // control characters
                1 => (char)_random.Next(0xD800, 0xE000), // lone surrogates
                2 => "\uD83D\uDE00", // a proper pair
                3 => (char)_random.Next(0x80, 0x800),
                4 => (char)_random.Next(0x800, 0xD800),
                5 => '"',
                6 => '\\',
                _ => (char)_random.Next(0x20, 0x7F),
            });
        }

        return builder.ToString();
    }

    private string ValidEvent()
    {
        var fields = ValidFieldsFor(Pick(EventTypes));
        AddExtras(fields);
        return WriteObject(Shuffle(fields));
    }

    private List<(string Key, string Json)> ValidFieldsFor(string type)
    {
        var fields = new List<(string, string)> { ("type", Str(type)) };
        switch (type)
        {
            case "welcome":
                fields.Add(("agent_id", Str(_random.Next(4) == 0 ? RandomText(20) : "agent-" + _random.Next(1000))));
                break;
            case "heartbeat":
                switch (_random.Next(4))
                {
                    case 0: fields.Add(("ts", Pick(ValidNumbers))); break;
                    case 1: fields.Add(("ts", Str(DateTimeOffset.UnixEpoch.AddSeconds(_random.Next()).ToString("O", CultureInfo.InvariantCulture)))); break;
                    case 2: fields.Add(("ts", "null")); break;
                    default: break; // absent
                }

                break;
            case "goodbye":
                if (_random.Next(3) > 0)
                {
                    fields.Add(("reason", Str(_random.Next(2) == 0 ? "activity_timeout" : RandomText(16))));
                }

                break;
            default:
                break;
        }

        return fields;
    }

    private string WrongFieldTypes()
    {
        var type = Pick(EventTypes);
        var fields = ValidFieldsFor(type);
        var wrong = _random.Next(6) switch
        {
            0 => "true",
            1 => "null",
            2 => "[" + Str("x") + "]",
            3 => "{" + Str("a") + ":1}",
            4 => _random.Next(2) == 0 ? Pick(ValidNumbers) : Pick(InvalidNumbers),
            _ => Str(_random.Next(2) == 0 ? string.Empty : "   "),
        };
        var key = _random.Next(4) switch
        {
            0 => "type",
            _ => type switch
            {
                "welcome" => "agent_id",
                "heartbeat" => "ts",
                "goodbye" => "reason",
                _ => Pick(FieldNames),
            },
        };
        fields.RemoveAll(f => f.Key == key);
        fields.Add((key, wrong));
        return WriteObject(Shuffle(fields));
    }

    private string Truncated()
    {
        var text = ValidEvent();
        return text[.._random.Next(text.Length)];
    }

    private string Mutated()
    {
        var builder = new StringBuilder(ValidEvent());
        var edits = 1 + _random.Next(4);
        for (var i = 0; i < edits && builder.Length > 0; i++)
        {
            var at = _random.Next(builder.Length);
            switch (_random.Next(5))
            {
                case 0: builder.Remove(at, 1); break;
                case 1: builder.Insert(at, RandomSignificant()); break;
                case 2: builder[at] = RandomSignificant(); break;
                case 3:
                    var length = _random.Next(1, Math.Min(16, builder.Length - at) + 1);
                    builder.Insert(at, builder.ToString(at, length));
                    break;
                default: builder.Insert(at, Pick(Whitespace)); break;
            }
        }

        return builder.ToString();
    }

    private string RandomUtf8()
    {
        var bytes = new byte[_random.Next(0, 96)];
        _random.NextBytes(bytes);
        if (bytes.Length > 0 && _random.Next(2) == 0)
        {
            bytes[0] = (byte)'{'; // get past the first byte of the parser sometimes
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private string DeepNesting()
    {
        // Mostly around the decoder's 32-level limit, sometimes far beyond it.
        var depth = _random.Next(4) == 0 ? _random.Next(1, 3000) : _random.Next(25, 40);
        var open = new StringBuilder();
        var close = new char[depth];
        for (var i = 0; i < depth; i++)
        {
            var array = _random.Next(2) == 0;
            open.Append(array ? "[" : "{\"k\":");
            close[depth - 1 - i] = array ? ']' : '}';
        }

        var nested = open.Append('1').Append(close).ToString();
        if (_random.Next(3) == 0)
        {
            return nested; // the nesting is the whole message
        }

        var fields = ValidFieldsFor(Pick(EventTypes));
        var key = _random.Next(3) == 0 ? KeyFor(fields) : "extra";
        fields.RemoveAll(f => f.Key == key);
        fields.Add((key, nested));
        return WriteObject(Shuffle(fields));
    }

    private string HugeStrings()
    {
        // Around the 64 KiB message bound, or well past it.
        var length = _random.Next(2) == 0 ? _random.Next(65_400, 65_600) : _random.Next(1, 200_000);
        var huge = new string((char)_random.Next('a', 'z' + 1), length);
        var fields = ValidFieldsFor(Pick(EventTypes));
        var key = _random.Next(3) switch { 0 => KeyFor(fields), 1 => "padding", _ => "type" };
        fields.RemoveAll(f => f.Key == key);
        fields.Add((key, Str(huge)));
        return WriteObject(fields);
    }

    private string UnknownType()
    {
        var fields = new List<(string Key, string Json)> { ("type", Str(_random.Next(3) == 0 ? RandomText(12) : Pick(NearTypes))) };
        AddExtras(fields);
        return WriteObject(Shuffle(fields));
    }

    private string NonObjectRoot() => _random.Next(7) switch
    {
        0 => "[" + ValidEvent() + "]",
        1 => Pick(ValidNumbers),
        2 => "null",
        3 => _random.Next(2) == 0 ? "true" : "false",
        4 => Str(ValidEvent()), // an event serialised twice: a JSON string
        5 => string.Empty,
        _ => Pick(Whitespace),
    };

    private string DuplicatedKeys()
    {
        var fields = ValidFieldsFor(Pick(EventTypes));
        var key = _random.Next(2) == 0 ? "type" : KeyFor(fields);
        var other = _random.Next(5) switch
        {
            0 => Str(Pick(EventTypes)),
            1 => Str(Pick(NearTypes)),
            2 => "null",
            3 => Pick(ValidNumbers),
            _ => Str("agent-" + _random.Next(100)),
        };
        fields.Insert(_random.Next(fields.Count + 1), (key, other));
        return WriteObject(fields);
    }

    private string EscapesAndUnicode()
    {
        var fields = ValidFieldsFor(Pick(EventTypes));
        var result = new List<(string Key, string Json)>();
        foreach (var (key, json) in fields)
        {
            // Escaped spellings of keys and string values must read the same as plain ones.
            var escapedKey = _random.Next(2) == 0 ? Str(key) : "\"" + EscapeAll(key) + "\"";
            var value = json.StartsWith('"') && _random.Next(2) == 0 ? "\"" + EscapeAll(json[1..^1]) + "\"" : json;
            result.Add((escapedKey, value));
        }

        switch (_random.Next(4))
        {
            case 0: result.Add((Str("lone"), "\"\\ud800\"")); break;
            case 1: result.Add((Str(KeyFor(fields)), "\"\\udc00x\"")); break;
            case 2: result.Add((Str("raw"), "\"" + (char)0xD800 + "\"")); break;
            default: break;
        }

        return WriteObject(Shuffle(result), keysEncoded: true);
    }

    private string RandomObject()
    {
        var fields = new List<(string Key, string Json)>();
        var count = _random.Next(6);
        for (var i = 0; i < count; i++)
        {
            fields.Add((Pick(FieldNames), RandomValue(3)));
        }

        return WriteObject(fields);
    }

    private string RandomValue(int depth) => _random.Next(depth <= 0 ? 5 : 7) switch
    {
        0 => Pick(ValidNumbers),
        1 => Str(_random.Next(2) == 0 ? Pick(EventTypes) : RandomText(10)),
        2 => "true",
        3 => "false",
        4 => "null",
        5 => "[" + string.Join(",", Enumerable.Range(0, _random.Next(4)).Select(_ => RandomValue(depth - 1))) + "]",
        _ => "{" + string.Join(",", Enumerable.Range(0, _random.Next(4)).Select(_ => Str(Pick(FieldNames)) + ":" + RandomValue(depth - 1))) + "}",
    };

    private void AddExtras(List<(string Key, string Json)> fields)
    {
        var extras = _random.Next(4);
        for (var i = 0; i < extras; i++)
        {
            var key = Pick(FieldNames);
            if (fields.All(f => f.Key != key))
            {
                // Fields the event does not define, including look-alikes of the ones it does.
                if (key is not ("type" or "agent_id" or "ts" or "reason"))
                {
                    fields.Add((key, RandomValue(2)));
                }
            }
        }
    }

    private string WriteObject(List<(string Key, string Json)> fields, bool keysEncoded = false)
    {
        var builder = new StringBuilder();
        builder.Append(Space()).Append('{');
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(Space()).Append(keysEncoded ? fields[i].Key : Str(fields[i].Key)).Append(Space()).Append(':').Append(Space()).Append(fields[i].Json).Append(Space());
        }

        return builder.Append('}').Append(Space()).ToString();
    }

    private static string Str(string text)
    {
        if (text.AsSpan().IndexOfAny(NeedsEscape) < 0)
        {
            return string.Concat("\"", text, "\"");
        }

        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case < ' ': builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: builder.Append(c); break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static string EscapeAll(string alreadyEscaped)
    {
        // Escapes plain characters only; keeps existing escape sequences intact.
        var builder = new StringBuilder();
        for (var i = 0; i < alreadyEscaped.Length; i++)
        {
            var c = alreadyEscaped[i];
            if (c == '\\' && i + 1 < alreadyEscaped.Length)
            {
                var sequence = alreadyEscaped[i + 1] == 'u' ? Math.Min(6, alreadyEscaped.Length - i) : 2;
                builder.Append(alreadyEscaped, i, sequence);
                i += sequence - 1;
                continue;
            }

            builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }

        return builder.ToString();
    }

    private string Space() => _random.Next(6) == 0 ? Pick(Whitespace) : string.Empty;

    private char RandomSignificant() => _random.Next(4) == 0 ? (char)_random.Next(0, 0x10000) : Significant[_random.Next(Significant.Length)];

    private string KeyFor(List<(string Key, string Json)> fields) => fields[_random.Next(fields.Count)].Key;

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private List<(string Key, string Json)> Shuffle(List<(string Key, string Json)> fields)
    {
        for (var i = fields.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (fields[i], fields[j]) = (fields[j], fields[i]);
        }

        return fields;
    }
}
