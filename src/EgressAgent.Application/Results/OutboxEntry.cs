namespace EgressAgent.Application.Results;

/// <summary>
/// A stored result's key, the wall-clock time it was computed (<paramref name="CreatedAt"/>, stored
/// with it for the next process), and its age on this process's monotonic clock
/// (docs/protocol.md §10 "Time", docs/adr/0042): <paramref name="AgeWhenKnown"/> at the
/// <see cref="TimeProvider.GetTimestamp"/> <paramref name="KnownSince"/>, counting on from there.
/// A wall-clock step after that moves neither.
/// </summary>
public sealed record OutboxEntry(string Key, DateTimeOffset CreatedAt, long KnownSince, TimeSpan AgeWhenKnown)
{
    /// <summary>Computed by this process just now: age zero.</summary>
    public static OutboxEntry Created(string key, DateTimeOffset createdAt, TimeProvider timeProvider) =>
        new(key, createdAt, (timeProvider ?? throw new ArgumentNullException(nameof(timeProvider))).GetTimestamp(), TimeSpan.Zero);

    /// <summary>
    /// Read from the disk at <paramref name="wallNow"/> (the monotonic <paramref name="timestamp"/>):
    /// its stored wall-clock age then, never less than zero (a creation time in the future counts as now).
    /// </summary>
    public static OutboxEntry Loaded(string key, DateTimeOffset createdAt, DateTimeOffset wallNow, long timestamp) =>
        new(key, createdAt, timestamp, wallNow > createdAt ? wallNow - createdAt : TimeSpan.Zero);

    /// <summary>Its age now, on the monotonic clock of <paramref name="timeProvider"/>.</summary>
    public TimeSpan AgeOn(TimeProvider timeProvider) =>
        AgeWhenKnown + (timeProvider ?? throw new ArgumentNullException(nameof(timeProvider))).GetElapsedTime(KnownSince);
}
