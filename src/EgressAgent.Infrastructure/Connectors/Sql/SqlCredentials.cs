using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// Reads the values of <c>connect_args</c> and <c>ssl_options</c> (docs/protocol.md §12.4) as the
/// agent we replace accepted them: strings, numbers or numbers written as strings, booleans or
/// their text. A value of the wrong shape is a <c>CredentialsError</c> naming the key, never the value.
/// </summary>
internal static class SqlCredentials
{
    public static JsonObject ConnectArgs(ConnectionRequest request) =>
        request.ConnectArgs ?? throw Invalid("credentials.connect_args must be an object");

    /// <summary>The first of <paramref name="names"/> present with a non-empty value, as text.</summary>
    public static string? Text(JsonObject values, params string[] names)
    {
        foreach (var name in names)
        {
            switch (values[name])
            {
                case null:
                    continue;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    var text = value.GetValue<string>();
                    if (text.Length > 0)
                    {
                        return text;
                    }

                    continue;
                case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                    return value.ToJsonString();
                default:
                    throw Invalid($"'{name}' must be a string");
            }
        }

        return null;
    }

    public static int? Integer(JsonObject values, string name, int minimum, int maximum)
    {
        var text = Text(values, name);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < minimum || number > maximum)
        {
            throw Invalid($"'{name}' must be a number from {minimum} to {maximum}");
        }

        return (int)Math.Ceiling(number);
    }

    public static bool Flag(JsonObject? values, string name) => values?[name] switch
    {
        null => false,
        JsonValue value when value.GetValueKind() is JsonValueKind.True => true,
        JsonValue value when value.GetValueKind() is JsonValueKind.False => false,
        JsonValue value when value.GetValueKind() is JsonValueKind.String =>
            value.GetValue<string>().ToUpperInvariant() is "TRUE" or "1" or "YES" or "ON",
        JsonValue value when value.GetValueKind() is JsonValueKind.Number => value.ToJsonString() != "0",
        _ => throw Invalid($"ssl_options.{name} must be a boolean"),
    };

    public static OperationFailedException Invalid(string message) => new(message, ConnectorErrorKinds.CredentialsError);
}
