using System.Collections.Concurrent;
using EgressAgent.Application.Health;
using EgressAgent.Application.ResultStorage;

namespace EgressAgent.Application.Results;

/// <summary>
/// The results waiting to be stored, counted by the <see cref="DurableResultWriter"/> that holds
/// them, and the latest reason the store gave. Written only when storing fails, so a lock is cheap;
/// the count alone is read without it. Also the stores under way, with when each began (on the
/// monotonic clock): one that has not returned within <see cref="AgentLoops.StoreBound"/> means
/// the volume is stuck (an fsync that never returns), which is degraded too (docs/adr/0043).
/// Uploads to object storage that keep failing are a reason too, without pausing intake.
/// </summary>
internal sealed class StorageHealth(TimeProvider timeProvider, UploadHealth? uploads = null) : IStorageHealth
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<long, long> _stores = new();
    private long _nextStore;
    private int _waiting;
    private string? _reason;

    public int ResultsWaiting => Volatile.Read(ref _waiting);

    public bool IsDegraded => ResultsWaiting > 0 || StuckFor is not null;

    public TimeSpan? StuckFor
    {
        get
        {
            if (_stores.IsEmpty)
            {
                return null;
            }

            var longest = TimeSpan.Zero;
            foreach (var started in _stores.Values)
            {
                var elapsed = timeProvider.GetElapsedTime(started);
                longest = elapsed > longest ? elapsed : longest;
            }

            return longest > AgentLoops.StoreBound ? longest : null;
        }
    }

    public string? DegradedReason
    {
        get
        {
            if (StuckFor is { } stuck)
            {
                return StuckReason(stuck);
            }

            lock (_gate)
            {
                if (_waiting > 0)
                {
                    return _reason;
                }
            }

            // Said, but not counted in IsDegraded: a result waiting on the object store is stored,
            // so intake goes on (docs/adr/0049).
            return uploads?.Reason;
        }
    }

    /// <summary>The reason health and <c>/readyz</c> give for a store that has not returned.</summary>
    public static string StuckReason(TimeSpan stuckFor) =>
        $"storage stuck: a store has not returned for {Math.Floor(stuckFor.TotalSeconds):0} s";

    /// <summary>A store starts; dispose the scope when it returns, however it ends.</summary>
    public IDisposable Storing()
    {
        var id = Interlocked.Increment(ref _nextStore);
        _stores[id] = timeProvider.GetTimestamp();
        return new Store(this, id);
    }

    /// <summary>A result starts waiting; true when it is the first one (the agent just became degraded).</summary>
    public bool StartWaiting(string reason)
    {
        lock (_gate)
        {
            _reason = reason;
            return ++_waiting == 1;
        }
    }

    /// <summary>A waiting result failed again, perhaps for another reason.</summary>
    public void StillWaiting(string reason)
    {
        lock (_gate)
        {
            _reason = reason;
        }
    }

    /// <summary>A waiting result was stored or given up; true when none waits any more (intake may resume).</summary>
    public bool StopWaiting()
    {
        lock (_gate)
        {
            if (--_waiting == 0)
            {
                _reason = null;
            }

            return _waiting == 0;
        }
    }

    private sealed class Store(StorageHealth owner, long id) : IDisposable
    {
        public void Dispose() => owner._stores.TryRemove(id, out _);
    }
}
