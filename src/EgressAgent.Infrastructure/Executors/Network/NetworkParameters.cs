using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Text;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary>
/// The fields of the network checks and their errors, worded as docs/protocol.md §14 words them.
/// As the reference agent does, <c>port</c> and <c>timeout</c> may come as numbers or as numeric
/// strings (<c>"5432"</c>); anything else is that field's parameter error (docs/adr/0047, docs/adr/0012).
/// </summary>
internal static class NetworkParameters
{
    public const string HostAndPortRequired = "host and port are required parameters";
    public const string HostRequired = "host is a required parameter";
    public const string UrlRequired = "url is a required parameter";

    /// <summary>The longest a check may wait: a connect the operating system has not answered by then it has long given up on.</summary>
    public const double MaxTimeoutSeconds = 300;

    private const int MaxValueChars = 64;
    private const int MaxHostChars = 256;

    /// <summary><c>host</c> and <c>port</c> of open and telnet.</summary>
    public static (string Host, int Port) HostAndPort(JsonObject operation)
    {
        var host = Text(operation, "host");
        var port = operation["port"];
        if (host is null || port is null || (port is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Trim().Length == 0))
        {
            throw Invalid(HostAndPortRequired);
        }

        return TryNumber(port, out var number) && number is >= 1 and <= 65535 && number == Math.Floor(number)
            ? (host, (int)number)
            : throw Invalid($"Invalid value for port parameter: {Shown(port)}");
    }

    /// <summary><c>timeout</c> in seconds, fractions allowed, above 0 and at most <see cref="MaxTimeoutSeconds"/>; <paramref name="defaultValue"/> when absent or null.</summary>
    public static TimeSpan Timeout(JsonObject operation, TimeSpan defaultValue)
    {
        var node = operation["timeout"];
        if (node is null)
        {
            return defaultValue;
        }

        return TryNumber(node, out var seconds) && seconds > 0 && seconds <= MaxTimeoutSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw Invalid($"Invalid value for timeout parameter: {Shown(node)}");
    }

    /// <summary>A string field, trimmed; null when absent, not a string, or blank.</summary>
    public static string? Text(JsonObject operation, string name) =>
        operation[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Trim() is { Length: > 0 } text
            ? text
            : null;

    /// <summary><c>include_response</c>: true or <c>"true"</c>; anything else is false, as in the reference agent.</summary>
    public static bool IncludeResponse(JsonObject operation) => operation["include_response"] is JsonValue value && value.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.String => string.Equals(value.GetValue<string>().Trim(), "true", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>A host as the checks' answers show it, shortened.</summary>
    public static string ShownHost(string host) => WellFormedText.Excerpt(host, MaxHostChars);

    /// <summary>A value as the error message shows it: a string without its quotes, anything else as JSON, shortened.</summary>
    public static string Shown(JsonNode node) => WellFormedText.Excerpt(
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : node.ToJsonString(), MaxValueChars);

    private static bool TryNumber(JsonNode node, out double number)
    {
        number = 0;
        if (node is not JsonValue value)
        {
            return false;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.Number => JsonNumbers.TryGetDouble(value, out number) && double.IsFinite(number),
            JsonValueKind.String => double.TryParse(value.GetValue<string>().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number),
            _ => false,
        };
    }

    private static OperationFailedException Invalid(string message) => new(message, ErrorKinds.InvalidOperation);
}
