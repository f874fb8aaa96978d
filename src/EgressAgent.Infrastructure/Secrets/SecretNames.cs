using System.Data.Common;

namespace EgressAgent.Infrastructure.Secrets;

/// <summary>
/// The one rule for which setting names hold secrets (contract §9): a name containing
/// <c>secret</c>, <c>password</c>, <c>token</c> (but not a token id) or <c>connectionstring</c>,
/// in any case, plus <c>pwd</c>, the short form connection strings use for a password.
/// </summary>
internal static class SecretNames
{
    private static readonly string[] Secret = ["secret", "password", "pwd", "token", "connectionstring"];
    private static readonly string[] TokenIds = ["tokenid", "token_id"];

    public static bool IsSecret(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var lower = name.ToLowerInvariant();
        foreach (var id in TokenIds)
        {
            lower = lower.Replace(id, string.Empty, StringComparison.Ordinal);
        }

        return Secret.Any(s => lower.Contains(s, StringComparison.Ordinal));
    }

    /// <summary>
    /// <paramref name="text"/> with the connection string, and every value of a secret key in it,
    /// replaced by <c>***</c>: for messages of errors that might quote them.
    /// </summary>
    public static string RedactConnectionString(string text, string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrEmpty(connectionString))
        {
            return text;
        }

        var redacted = text.Replace(connectionString, "***", StringComparison.Ordinal);
        foreach (var secret in SecretValuesOf(connectionString))
        {
            redacted = redacted.Replace(secret, "***", StringComparison.Ordinal);
        }

        return redacted;
    }

    /// <summary>
    /// An absolute URL reduced to scheme, host, port and path (user info, query and fragment
    /// could carry credentials); any other text unchanged.
    /// </summary>
    public static string WithoutUrlCredentials(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && !uri.IsFile && (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : value;

    private static IEnumerable<string> SecretValuesOf(string connectionString)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            return [];
        }

        return builder.Keys.Cast<string>()
            .Where(IsSecret)
            .Select(key => builder[key]?.ToString() ?? string.Empty)
            .Where(value => value.Length > 0)
            .ToList();
    }
}
