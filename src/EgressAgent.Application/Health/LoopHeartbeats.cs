using System.Collections.Concurrent;

namespace EgressAgent.Application.Health;

/// <summary>
/// The open steps of every loop, with when each began. Several steps of one loop may be open at
/// once (workers, concurrent deliveries); each has its own bound. Reading is cheap enough for a
/// probe every few seconds: it looks only at steps open right now. Steps are timed on the
/// monotonic clock: a wall-clock step fails no probe (docs/protocol.md §10 "Time", docs/adr/0042).
/// </summary>
public sealed class LoopHeartbeats(TimeProvider timeProvider) : ILoopProgress
{
    private readonly ConcurrentDictionary<long, OpenStep> _open = new();
    private readonly ConcurrentQueue<string> _dead = new();
    private long _nextId;

    public IDisposable Working(string loop, TimeSpan bound)
    {
        var id = Interlocked.Increment(ref _nextId);
        _open[id] = new OpenStep(loop, timeProvider.GetTimestamp(), bound);
        return new Step(this, id);
    }

    public void Dead(string loop, string reason) => _dead.Enqueue($"{loop}: {reason}");

    /// <summary>What died and could not be replaced, one line each; empty while nothing did.</summary>
    public IReadOnlyList<string> DeadParts() => [.. _dead];

    /// <summary>Every step open past its bound, longest first; empty while every loop makes progress.</summary>
    public IReadOnlyList<StuckLoop> Stuck()
    {
        var now = timeProvider.GetTimestamp();
        return _open.Values
            .Select(s => new StuckLoop(s.Loop, timeProvider.GetElapsedTime(s.StartedAt, now), s.Bound))
            .Where(s => s.WorkingFor > s.Bound)
            .OrderByDescending(s => s.WorkingFor)
            .ToList();
    }

    /// <summary><paramref name="StartedAt"/> is a <see cref="TimeProvider.GetTimestamp"/>.</summary>
    private sealed record OpenStep(string Loop, long StartedAt, TimeSpan Bound);

    private sealed class Step(LoopHeartbeats owner, long id) : IDisposable
    {
        public void Dispose() => owner._open.TryRemove(id, out _);
    }
}
