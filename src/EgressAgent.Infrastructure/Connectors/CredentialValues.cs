using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// The values of one credentials object, <c>connect_args</c> or <c>ssl_options</c> (docs/protocol.md
/// §12.4), read as the agent we replace accepted them; every connection type reads its credentials
/// here. Text: a string or a number's JSON text (an empty string or <c>null</c> is absent). Numbers:
/// a JSON number or a number written as text. Flags: <c>true</c>/<c>false</c>, a number (non-zero is
/// true) or text (<c>true</c>, <c>1</c>, <c>yes</c>, <c>on</c> in any case are true, any other text
/// false). A value of the wrong shape or out of range is a <c>CredentialsError</c> naming the key
/// (<c>connect_args.port</c>), never the value.
/// </summary>
internal sealed class CredentialValues(JsonObject? values, string section)
{
    /// <summary><c>connect_args</c>, which the type needs as an object: <paramref name="requirement"/> is the error when it is not one.</summary>
    public static CredentialValues ConnectArgs(ConnectionRequest request, string requirement = "credentials.connect_args must be an object")
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(request.ConnectArgs ?? throw Invalid(requirement), "connect_args");
    }

    /// <summary><c>connect_args</c> already known to be an object.</summary>
    public static CredentialValues ConnectArgs(JsonObject args) => new(args, "connect_args");

    /// <summary><c>ssl_options</c>, which may be absent (<see cref="IsGiven"/>); then every value reads as absent.</summary>
    public static CredentialValues SslOptions(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(request.SslOptions, "ssl_options");
    }

    /// <summary>Whether the object was given at all (<c>ssl_options: {}</c> is given).</summary>
    public bool IsGiven => values is not null;

    /// <summary>The first of <paramref name="names"/> (a key and its aliases) present with a value, as text.</summary>
    public string? Text(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            var text = Scalar(name, out var kind);
            if (text is not null)
            {
                return text;
            }

            if (kind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.String))
            {
                throw Invalid($"{section}.{name} must be text");
            }
        }

        return null;
    }

    /// <summary><c>port</c>: a whole number from 1 to 65535, or null when not given.</summary>
    public int? Port()
    {
        const string Expected = "a whole number from 1 to 65535";
        return Number("port", 1, 65535, Expected) switch
        {
            null => null,
            var port when port == Math.Floor(port.Value) => (int)port,
            _ => throw Invalid($"{section}.port must be {Expected}"),
        };
    }

    /// <summary>A number of seconds from <paramref name="minimum"/> to <paramref name="maximum"/>, or null when not given.</summary>
    public double? Seconds(string name, double minimum, double maximum) =>
        Number(name, minimum, maximum, string.Create(CultureInfo.InvariantCulture, $"a number of seconds from {minimum} to {maximum}"));

    /// <summary>A flag; false when not given.</summary>
    public bool Flag(string name) => OptionalFlag(name) ?? false;

    /// <summary>A flag, or null when not given.</summary>
    public bool? OptionalFlag(string name)
    {
        var text = Scalar(name, out var kind);
        return kind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            JsonValueKind.String => text is null ? null : text.Trim().ToUpperInvariant() is "TRUE" or "1" or "YES" or "ON",
            JsonValueKind.Number => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture) != 0,
            _ => throw Invalid($"{section}.{name} must be a boolean"),
        };
    }

    /// <summary>A <c>CredentialsError</c>: say which key is wrong and how, never its value.</summary>
    public static OperationFailedException Invalid(string message) => new(message, ConnectorErrorKinds.CredentialsError);

    private double? Number(string name, double minimum, double maximum, string expected)
    {
        var text = Scalar(name, out var kind);
        if (text is null && kind is JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.String)
        {
            return null;
        }

        // NaN fails both comparisons: it is in no range.
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum
            ? number
            : throw Invalid($"{section}.{name} must be {expected}");
    }

    /// <summary>The text of a string (null when empty) or the JSON text of a number; <paramref name="kind"/> is <c>Undefined</c> when the key is absent.</summary>
    private string? Scalar(string name, out JsonValueKind kind)
    {
        var node = values?[name];
        kind = node?.GetValueKind() ?? JsonValueKind.Undefined;
        return kind switch
        {
            JsonValueKind.String => node!.GetValue<string>() is { Length: > 0 } text ? text : null,
            JsonValueKind.Number => node!.ToJsonString(),
            _ => null,
        };
    }
}
