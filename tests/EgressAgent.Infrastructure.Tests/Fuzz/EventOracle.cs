using System.Text;
using System.Text.Json;

namespace EgressAgent.Infrastructure.Tests.Fuzz;

/// <summary>What one decoded event should do: the kind of event and its detail (agent id, goodbye reason).</summary>
internal sealed record Effect(string Kind, string? Detail = null);

/// <summary>The oracle's verdict: the effect a valid event must have, or why it must be rejected.</summary>
/// <param name="Effect">The effect a valid event must have; null when it must be rejected.</param>
/// <param name="Category">Why it is rejected, or the kind of event.</param>
/// <param name="IllFormedText">The input holds text that is not valid UTF-16 where the decoder reads it.</param>
internal sealed record Expectation(Effect? Effect, string Category, bool IllFormedText = false)
{
    /// <summary>The effect is allowed, and so is a rejection (duplicated names, which JSON leaves undefined).</summary>
    public bool MayReject { get; init; }

    public static Expectation Rejected(string why, bool illFormedText = false) => new(null, "rejected: " + why, illFormedText);
}

/// <summary>
/// The contract's definition of a valid event (§4), written independently of the decoder: the
/// data is one JSON object (at most 64 Ki chars, nested at most 32 deep — the decoder's stated
/// bounds) whose <c>type</c> names a known event with fields of the right types. When a key is
/// repeated the last one counts (System.Text.Json's rule for JSON objects).
/// </summary>
internal static class EventOracle
{
    public const int MaxChars = 64 * 1024;
    public const int MaxDepth = 32;

    public static Expectation Classify(string data)
    {
        if (data.Length > MaxChars)
        {
            return Expectation.Rejected("over 64 Ki chars");
        }

        if (HasLoneSurrogate(data))
        {
            return Expectation.Rejected("ill-formed UTF-16", illFormedText: true);
        }

        var utf8 = Encoding.UTF8.GetBytes(data);
        if (!IsJson(utf8, out var depth))
        {
            return Expectation.Rejected("not JSON");
        }

        if (depth > MaxDepth)
        {
            return Expectation.Rejected("nested deeper than 32");
        }

        using (var document = JsonDocument.Parse(utf8))
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Expectation.Rejected("not an object");
            }

            if (Last(root, "type") is not { ValueKind: JsonValueKind.String } type)
            {
                return Expectation.Rejected("no string type");
            }

            if (!TryReadString(type, out var typeName))
            {
                return Expectation.Rejected("type is an escaped lone surrogate", illFormedText: true);
            }

            return typeName switch
            {
                "welcome" => Welcome(root),
                "heartbeat" => Heartbeat(root),
                "work_available" => new Expectation(new Effect("work_available"), "valid work_available"),
                "goodbye" => Goodbye(root),
                _ => Expectation.Rejected("unknown type"),
            };
        }
    }

    private static Expectation Welcome(JsonElement root)
    {
        var ids = All(root, "agent_id");
        var illFormed = ids.Any(id => id.ValueKind == JsonValueKind.String && !TryReadString(id, out _));
        if (ids.Count > 0 && TryReadString(ids[^1], out var agentId) && !string.IsNullOrWhiteSpace(agentId))
        {
            // JSON leaves duplicated names undefined: the decoder may take the last or refuse the message, nothing else.
            return ids.Count == 1
                ? new Expectation(new Effect("welcome", agentId), "valid welcome")
                : new Expectation(new Effect("welcome", agentId), "welcome with a duplicated agent_id", illFormed) { MayReject = true };
        }

        return Expectation.Rejected(illFormed ? "welcome with an escaped lone surrogate in agent_id" : "welcome without a usable agent_id", illFormed);
    }

    private static Expectation Heartbeat(JsonElement root) =>
        Last(root, "ts") is not { } ts || ts.ValueKind is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null
            ? new Expectation(new Effect("heartbeat"), "valid heartbeat")
            : Expectation.Rejected("heartbeat with a ts that is neither number nor string");

    private static Expectation Goodbye(JsonElement root)
    {
        // "unknown" when absent or not a string (§4): a goodbye is never dropped for its reason.
        var reason = Last(root, "reason") is { } value && TryReadString(value, out var text) && text.Length > 0 ? text : "unknown";
        return new Expectation(new Effect("goodbye", reason), "valid goodbye");
    }

    private static JsonElement? Last(JsonElement root, string name) => All(root, name) is { Count: > 0 } all ? all[^1] : null;

    private static List<JsonElement> All(JsonElement root, string name)
    {
        var found = new List<JsonElement>();
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals(name))
            {
                found.Add(property.Value);
            }
        }

        return found;
    }

    /// <summary>A JSON string that is also valid UTF-16 (an escaped lone surrogate is not).</summary>
    private static bool TryReadString(JsonElement element, out string text)
    {
        text = string.Empty;
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            text = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool HasLoneSurrogate(string data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            if (char.IsHighSurrogate(data[i]) && i + 1 < data.Length && char.IsLowSurrogate(data[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(data[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the text is one JSON value, and how many containers deep it nests (an object or array alone is 1).</summary>
    private static bool IsJson(byte[] utf8, out int depth)
    {
        depth = 0;
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 100_000 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    depth = Math.Max(depth, reader.CurrentDepth + 1);
                }
            }

            return reader.BytesConsumed == utf8.Length || utf8.AsSpan((int)reader.BytesConsumed).Trim(" \t\r\n"u8).IsEmpty;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
