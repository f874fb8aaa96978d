using EgressAgent.Application.Ports;

namespace EgressAgent.Application.Pipeline;

/// <summary>
/// The results waiting to be stored, counted by the <see cref="DurableResultWriter"/> that holds
/// them, and the latest reason the store gave. Written only when storing fails, so a lock is cheap;
/// the count alone is read without it.
/// </summary>
internal sealed class StorageHealth : IStorageHealth
{
    private readonly Lock _gate = new();
    private int _waiting;
    private string? _reason;

    public int ResultsWaiting => Volatile.Read(ref _waiting);

    public bool IsDegraded => ResultsWaiting > 0;

    public string? DegradedReason
    {
        get
        {
            lock (_gate)
            {
                return _waiting > 0 ? _reason : null;
            }
        }
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
}
