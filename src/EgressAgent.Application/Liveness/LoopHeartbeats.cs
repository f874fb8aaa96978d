using System.Collections.Concurrent;
using EgressAgent.Application.Ports;

namespace EgressAgent.Application.Liveness;

/// <summary>
/// The open steps of every loop, with when each began. Several steps of one loop may be open at
/// once (workers, concurrent deliveries); each has its own bound. Reading is cheap enough for a
/// probe every few seconds: it looks only at steps open right now.
/// </summary>
public sealed class LoopHeartbeats(TimeProvider timeProvider) : ILoopProgress
{
    private readonly ConcurrentDictionary<long, OpenStep> _open = new();
    private readonly ConcurrentQueue<string> _dead = new();
    private long _nextId;

    public IDisposable Working(string loop, TimeSpan bound)
    {
        var id = Interlocked.Increment(ref _nextId);
        _open[id] = new OpenStep(loop, timeProvider.GetUtcNow(), bound);
        return new Step(this, id);
    }

    public void Dead(string loop, string reason) => _dead.Enqueue($"{loop}: {reason}");

    /// <summary>What died and could not be replaced, one line each; empty while nothing did.</summary>
    public IReadOnlyList<string> DeadParts() => [.. _dead];

    /// <summary>Every step open past its bound, longest first; empty while every loop makes progress.</summary>
    public IReadOnlyList<StuckLoop> Stuck()
    {
        var now = timeProvider.GetUtcNow();
        return _open.Values
            .Select(s => new StuckLoop(s.Loop, now - s.StartedAt, s.Bound))
            .Where(s => s.WorkingFor > s.Bound)
            .OrderByDescending(s => s.WorkingFor)
            .ToList();
    }

    private sealed record OpenStep(string Loop, DateTimeOffset StartedAt, TimeSpan Bound);

    private sealed class Step(LoopHeartbeats owner, long id) : IDisposable
    {
        public void Dispose() => owner._open.TryRemove(id, out _);
    }
}
