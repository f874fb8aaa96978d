using System.Data.Common;
using System.Text.RegularExpressions;

namespace EgressAgent.Domain.Text;

/// <summary>
/// The one rule for which setting names hold secrets (docs/protocol.md §9): a name containing
/// <c>secret</c>, <c>password</c>, <c>token</c> (but not a token id) or <c>connectionstring</c>,
/// in any case, plus <c>pwd</c>, the short form connection strings use for a password, and the
/// object stores' <c>accesskey</c> and <c>accountkey</c> (docs/protocol.md §13); and the
/// redaction of secret values from connection strings and URLs.
/// </summary>
public static partial class SecretNames
{
    private const int MinimumRedactedLength = 4;
    private static readonly string[] Secret = ["secret", "password", "pwd", "token", "connectionstring", "accesskey", "accountkey"];
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
    /// The one way a URL is shown (logs, health, <c>check</c>, errors; docs/adr/0021): an absolute
    /// URL reduced to scheme, host, port and path (user info, query and fragment could carry
    /// credentials). Text that does not parse as a URL still loses everything between a
    /// <c>://</c> and the last <c>@</c> of the same word; any other text is unchanged.
    /// </summary>
    public static string WithoutUrlCredentials(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // Only a value that is one URL from its first character: "failed: http://…" parses too,
        // as a URL of the scheme "failed".
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && !uri.IsFile && !uri.IsUnc
            && value.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase))
        {
            return uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0
                ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
                : value;
        }

        // Free text, or a URL that does not parse (a password with a raw '@', '#' or '/'…): where
        // user info ends cannot be known, so everything from "://" up to the last '@' of the word goes.
        return UnparsedUserInfo().Replace(value, "$1");
    }

    /// <summary>
    /// <paramref name="text"/> (an exception message, say) with the user info of
    /// <paramref name="url"/> removed in every form it may take: as configured, percent-escaped
    /// or unescaped, and the password alone.
    /// </summary>
    public static string WithoutUrlCredentials(string text, string? url)
    {
        ArgumentNullException.ThrowIfNull(text);
        var redacted = WithoutUrlCredentials(text);
        if (string.IsNullOrEmpty(url))
        {
            return redacted;
        }

        foreach (var secret in UserInfoFormsOf(url))
        {
            redacted = redacted.Replace(secret, "***", StringComparison.Ordinal);
        }

        return redacted;
    }

    /// <summary>The user info of <paramref name="url"/> and its password in the forms text may quote them, longest first.</summary>
    private static IEnumerable<string> UserInfoFormsOf(string url)
    {
        var forms = new HashSet<string>(StringComparer.Ordinal);
        if (UserInfoOf(url) is { } userInfo)
        {
            forms.Add(userInfo);
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && colon < userInfo.Length - 1)
            {
                forms.Add(userInfo[(colon + 1)..]);
            }
        }

        foreach (var form in forms.ToList())
        {
            forms.Add(Uri.EscapeDataString(form));
            forms.Add(Uri.UnescapeDataString(form));
        }

        // Replacing a fragment of a few characters would blank out ordinary words of the text.
        return forms.Where(f => f.Length >= MinimumRedactedLength).OrderByDescending(f => f.Length);
    }

    /// <summary>What the URL parser calls user info; for an unparseable URL, everything from <c>://</c> to the last <c>@</c>.</summary>
    private static string? UserInfoOf(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return uri.UserInfo.Length > 0 ? uri.UserInfo : null;
        }

        var start = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var at = url.LastIndexOf('@');
        return start >= 3 && at > start ? url[start..at] : null;
    }

    [GeneratedRegex(@"(\b[A-Za-z][A-Za-z0-9+.\-]*://)\S*@", RegexOptions.CultureInvariant)]
    private static partial Regex UnparsedUserInfo();

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
