using System.Net.ServerSentEvents;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.Stream;

/// <summary>
/// What the server asks the stream to carry across connections — the last event id, sent back as
/// <c>Last-Event-ID</c>, and the <c>retry:</c> interval — taken only in a form that is safe to use
/// (docs/protocol.md §10): an id that cannot be sent back as a header value is ignored and the previous
/// one kept; a <c>retry:</c> above <c>Events:MaxReconnectDelay</c> is clamped to it (a timer
/// cannot wait years, and the agent must not wait longer than its own cap).
/// </summary>
internal sealed partial class StreamResumeState(TimeSpan maxReconnectDelay, ILogger logger)
{
    /// <summary>Longer ids are not sent back: no orchestrator needs more, and proxies cap header sizes.</summary>
    internal const int MaxEventIdLength = 1024;

    internal static readonly TimeSpan DefaultMinimumDelay = TimeSpan.FromMilliseconds(250);

    private string? _seenId;
    private TimeSpan _seenRetry = Timeout.InfiniteTimeSpan;

    /// <summary>The id to resume after; null until the server sent a usable one.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>The server's <c>retry:</c> (clamped to the cap), else 250 ms.</summary>
    public TimeSpan MinimumDelay { get; private set; } = DefaultMinimumDelay;

    /// <summary>
    /// An id can go back in a header when it is printable ASCII without surrounding spaces (which
    /// header parsing would trim) and of bounded length. Control characters, non-ASCII text and
    /// U+FFFD (what undecodable bytes became) are not.
    /// </summary>
    public static bool IsSendable(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxEventIdLength || id[0] == ' ' || id[^1] == ' ')
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Takes what the parser has seen so far; each new value is judged (and logged) once.</summary>
    public void Observe(SseParser<string> parser)
    {
        ObserveId(parser.LastEventId);
        ObserveRetry(parser.ReconnectionInterval);
    }

    private void ObserveId(string? id)
    {
        // An empty id keeps the previous one: resuming from an earlier id costs at most a replay.
        if (string.IsNullOrEmpty(id) || string.Equals(id, _seenId, StringComparison.Ordinal))
        {
            return;
        }

        _seenId = id;
        if (IsSendable(id))
        {
            LastEventId = id;
        }
        else
        {
            LogIdIgnored(logger, id.Length, Describe(id), LastEventId);
        }
    }

    private void ObserveRetry(TimeSpan retry)
    {
        if (retry <= TimeSpan.Zero || retry == Timeout.InfiniteTimeSpan || retry == _seenRetry)
        {
            return;
        }

        _seenRetry = retry;
        if (retry > maxReconnectDelay)
        {
            LogRetryClamped(logger, retry, maxReconnectDelay);
            MinimumDelay = maxReconnectDelay;
        }
        else
        {
            MinimumDelay = retry;
        }
    }

    /// <summary>The id as a log may show it: printable ASCII, everything else escaped, cut short.</summary>
    private static string Describe(string id)
    {
        const int Shown = 64;
        var text = new System.Text.StringBuilder(Shown + 16);
        foreach (var c in id.AsSpan(0, Math.Min(id.Length, Shown)))
        {
            if (c is >= ' ' and <= '~')
            {
                text.Append(c);
            }
            else
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return id.Length > Shown ? text.Append('…').ToString() : text.ToString();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an event id that cannot be sent back as a header value ({Length} chars: \"{Id}\"); resuming after {LastEventId} instead")]
    private static partial void LogIdIgnored(ILogger logger, int length, string id, string? lastEventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server asked for a reconnect delay of {Retry}, above Events:MaxReconnectDelay; using {Cap}")]
    private static partial void LogRetryClamped(ILogger logger, TimeSpan retry, TimeSpan cap);
}
