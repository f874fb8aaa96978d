namespace EgressAgent.Infrastructure.ResultStorage;

/// <summary>
/// The configured prefix applied to keys on the way in and stripped on the way out: the port and
/// the <c>storage</c> connection type speak keys relative to it (docs/protocol.md §13).
/// </summary>
internal sealed class ObjectKeys(string? prefix)
{
    /// <summary>The prefix without slashes at either end; empty for none.</summary>
    public string Prefix { get; } = (prefix ?? string.Empty).Trim('/');

    /// <summary>The store's key for <paramref name="key"/>; an empty key is refused.</summary>
    public string Full(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException("An object key must not be empty.", nameof(key));
        }

        return Prefix.Length == 0 ? key : $"{Prefix}/{key}";
    }

    /// <summary>The store's prefix for a listing under <paramref name="relativePrefix"/> (never matching a sibling such as <c>mcdx/</c>).</summary>
    public string ListPrefix(string? relativePrefix) =>
        Prefix.Length == 0 ? relativePrefix ?? string.Empty : $"{Prefix}/{relativePrefix}";

    /// <summary><paramref name="fullKey"/> relative to the prefix.</summary>
    public string Relative(string fullKey)
    {
        ArgumentNullException.ThrowIfNull(fullKey);
        return Prefix.Length > 0 && fullKey.StartsWith(Prefix + "/", StringComparison.Ordinal) ? fullKey[(Prefix.Length + 1)..] : fullKey;
    }
}
