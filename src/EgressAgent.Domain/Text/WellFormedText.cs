namespace EgressAgent.Domain.Text;

/// <summary>
/// Strings that are valid Unicode: a lone surrogate (half of a pair, as an orchestrator can send
/// with an escape like <c>"\ud800"</c>) becomes U+FFFD, so every writer, log and file takes it.
/// </summary>
public static class WellFormedText
{
    public const char Replacement = '\uFFFD';

    /// <summary>The index of the first lone surrogate, or -1 when the text is valid UTF-16.</summary>
    public static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        var offset = 0;
        while (true)
        {
            var found = text[offset..].IndexOfAnyInRange('\uD800', '\uDFFF');
            if (found < 0)
            {
                return -1;
            }

            var i = offset + found;
            if (!char.IsHighSurrogate(text[i]) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
            {
                return i;
            }

            offset = i + 2;
        }
    }

    /// <summary><paramref name="text"/> with each lone surrogate replaced by U+FFFD; the same instance when there is none.</summary>
    public static string Repair(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = IndexOfLoneSurrogate(text);
        if (first < 0)
        {
            return text;
        }

        return string.Create(text.Length, (text, first), static (chars, state) =>
        {
            var (source, start) = state;
            source.AsSpan().CopyTo(chars);
            for (var i = start; i < chars.Length; i++)
            {
                if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(chars[i]))
                {
                    chars[i] = Replacement;
                }
            }
        });
    }

    /// <summary>
    /// At most <paramref name="maxChars"/> characters of <paramref name="text"/> for a log line, never
    /// cutting a surrogate pair in two, repaired, with the full length noted when cut.
    /// </summary>
    public static string Excerpt(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= maxChars ? Repair(text) : Head(text, maxChars) + $"… ({text.Length} chars)";
    }

    /// <summary>The first <paramref name="maxChars"/> characters at most, never cutting a surrogate pair in two, repaired.</summary>
    public static string Head(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxChars);
        if (text.Length <= maxChars)
        {
            return Repair(text);
        }

        var cut = maxChars > 0 && char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;
        return Repair(text[..cut]);
    }
}
