using System.Text.Json;
using System.Text.Json.Nodes;

namespace EgressAgent.Application.Connectors;

/// <summary>
/// Removes credential values from error texts (docs/protocol.md §12.1): the value of every key
/// whose name contains <c>password</c>, <c>token</c>, <c>secret</c> or <c>key</c> (any case, any
/// depth) and the string form of <c>connect_args</c> become <c>__redacted__</c>, longest first so
/// that a value containing another is replaced whole.
/// </summary>
internal sealed class CredentialRedactor
{
    public const string Placeholder = "__redacted__";

    private static readonly string[] SecretKeyParts = ["password", "token", "secret", "key"];

    private readonly string[] _values;

    public CredentialRedactor(params JsonObject?[] credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in credentials)
        {
            if (source is null)
            {
                continue;
            }

            Collect(source, values);
            if (source["connect_args"] is { } connectArgs)
            {
                Add(connectArgs, values);
            }
        }

        _values = [.. values.Where(v => v.Length > 0).OrderByDescending(v => v.Length).ThenBy(v => v, StringComparer.Ordinal)];
    }

    public static CredentialRedactor None { get; } = new();

    public static bool IsSecretKey(string name) =>
        SecretKeyParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase));

    /// <summary><paramref name="text"/> with every credential value replaced by <see cref="Placeholder"/>.</summary>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        foreach (var value in _values)
        {
            text = text.Replace(value, Placeholder, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>A copy of <paramref name="attributes"/> with every string value redacted.</summary>
    public JsonObject Redact(JsonObject attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return (JsonObject)RedactNode(attributes)!;
    }

    private JsonNode? RedactNode(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, RedactNode(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(RedactNode)]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(Redact(v.GetValue<string>())),
        _ => node.DeepClone(),
    };

    private static void Collect(JsonNode node, HashSet<string> values)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, member) in obj)
                {
                    if (member is null)
                    {
                        continue;
                    }

                    if (IsSecretKey(key))
                    {
                        Add(member, values);
                    }

                    Collect(member, values);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        Collect(item, values);
                    }
                }

                break;
        }
    }

    /// <summary>A value's string form: the text of a string, the JSON of anything else (true/false/null say nothing secret).</summary>
    private static void Add(JsonNode value, HashSet<string> values)
    {
        switch (value)
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                values.Add(v.GetValue<string>());
                break;
            case JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null:
                break;
            case JsonObject or JsonArray:
                values.Add(value.ToJsonString());
                // Python's str() of a dict, the form the agent we replace printed, differs; its
                // secret members are redacted one by one in any case (Collect).
                break;
            default:
                values.Add(value.ToJsonString());
                break;
        }
    }
}
