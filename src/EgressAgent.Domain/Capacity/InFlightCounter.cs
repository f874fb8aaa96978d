namespace EgressAgent.Domain.Capacity;

/// <summary>
/// Queued plus running operations from every source, against the worker count (docs/protocol.md §6.2).
/// The poller reserves a slot before it asks for work, so the agent never holds more than it
/// can run; piggybacked operations are already assigned and are always admitted.
/// </summary>
public sealed class InFlightCounter(int capacity)
{
    private int _inFlight;

    public int Capacity { get; } = capacity > 0
        ? capacity
        : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Capacity must be positive.");

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool IsSaturated => InFlight >= Capacity;

    /// <summary>Takes a slot only if one is free.</summary>
    public bool TryReserve()
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current >= Capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Counts work that was assigned without asking (piggybacked), even past capacity.</summary>
    public void Admit() => Interlocked.Increment(ref _inFlight);

    /// <summary>Frees a slot; returns true when this release took the agent out of saturation.</summary>
    public bool Release()
    {
        var after = Interlocked.Decrement(ref _inFlight);
        if (after < 0)
        {
            Interlocked.Increment(ref _inFlight);
            throw new InvalidOperationException("Released more slots than were taken.");
        }

        return after == Capacity - 1;
    }
}
