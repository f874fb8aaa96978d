using System.Globalization;

namespace EgressAgent.Emulator;

/// <summary>Open event streams, the event-id sequence and the replay buffer behind Last-Event-ID.</summary>
internal sealed class StreamHub
{
    private const int ReplayCapacity = 1000;

    private readonly object gate = new();
    private readonly List<StreamConnection> open = [];
    private readonly Queue<BufferedEvent> replay = new();
    private readonly Dictionary<string, int> openPerInstance = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> maxPerInstance = new(StringComparer.Ordinal);
    private long lastSequence;
    private int maxSeen;
    private bool assignEventIds = true;

    public bool AssignEventIds
    {
        get => Volatile.Read(ref assignEventIds);
        set => Volatile.Write(ref assignEventIds, value);
    }

    public int OpenCount
    {
        get
        {
            lock (gate)
            {
                return open.Count;
            }
        }
    }

    public int MaxConcurrentSeen
    {
        get
        {
            lock (gate)
            {
                return maxSeen;
            }
        }
    }

    /// <summary>Instances without an id header are tracked together under "".</summary>
    public static string KeyOf(string? instanceId) => instanceId ?? "";

    public int MaxConcurrent(string? instanceId)
    {
        lock (gate)
        {
            return maxPerInstance.GetValueOrDefault(KeyOf(instanceId));
        }
    }

    /// <summary>
    /// Gives streams of the same instance that are still counted as open a short grace to be
    /// seen closing. A client that closes its old connection and then opens a new one can have
    /// the new request served before the server has processed the old socket's FIN; without
    /// this grace that race would be reported as overlapping connections.
    /// </summary>
    public async Task AwaitPredecessorsAsync(string? instanceId, TimeSpan grace, CancellationToken cancellationToken)
    {
        Task[] predecessors;
        var key = KeyOf(instanceId);
        lock (gate)
        {
            predecessors = [.. open.Where(c => c.InstanceKey == key).Select(c => c.Closed)];
        }

        if (predecessors.Length == 0)
        {
            return;
        }

        try
        {
            await Task.WhenAll(predecessors).WaitAsync(grace, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Still open after the grace: a real overlap, which Open() will count.
        }
    }

    /// <summary>
    /// Registers a stream and queues its replay in the same critical section as live
    /// publishing, so no event is lost or delivered twice around a reconnect.
    /// </summary>
    public StreamConnection Open(string? instanceId, string? lastEventId, bool silent)
    {
        var key = KeyOf(instanceId);
        var connection = new StreamConnection(key, silent);
        lock (gate)
        {
            if (lastEventId is not null && !silent)
            {
                foreach (var buffered in EventsAfter(lastEventId))
                {
                    if (buffered.TargetKey is null || buffered.TargetKey == key)
                    {
                        connection.Enqueue(buffered.Frame);
                    }
                }
            }

            open.Add(connection);
            var count = openPerInstance.GetValueOrDefault(key) + 1;
            openPerInstance[key] = count;
            if (count > maxPerInstance.GetValueOrDefault(key))
            {
                maxPerInstance[key] = count;
            }

            maxSeen = Math.Max(maxSeen, count);
        }

        return connection;
    }

    public void Close(StreamConnection connection)
    {
        lock (gate)
        {
            if (open.Remove(connection))
            {
                var remaining = openPerInstance[connection.InstanceKey] - 1;
                if (remaining == 0)
                {
                    openPerInstance.Remove(connection.InstanceKey);
                }
                else
                {
                    openPerInstance[connection.InstanceKey] = remaining;
                }
            }
        }

        connection.Complete();
        connection.MarkClosed();
    }

    /// <summary>Sends one event (buffered for replay) to every open stream, or to one instance's streams.</summary>
    public void Publish(string data, string? eventId, string? instanceId)
    {
        lock (gate)
        {
            var sequence = ++lastSequence;
            var id = eventId ?? (AssignEventIds ? sequence.ToString(CultureInfo.InvariantCulture) : null);
            var targetKey = instanceId is null ? null : KeyOf(instanceId);
            var frame = SseFrames.Event(id, data);

            replay.Enqueue(new BufferedEvent(sequence, id, targetKey, frame));
            while (replay.Count > ReplayCapacity)
            {
                replay.Dequeue();
            }

            foreach (var connection in open)
            {
                if (targetKey is null || connection.InstanceKey == targetKey)
                {
                    connection.Enqueue(frame);
                }
            }
        }
    }

    /// <summary>Writes a frame that is not an event (comment, retry) to every open stream; never replayed.</summary>
    public void Broadcast(string frame)
    {
        lock (gate)
        {
            foreach (var connection in open)
            {
                connection.Enqueue(frame);
            }
        }
    }

    public void CloseAll()
    {
        lock (gate)
        {
            foreach (var connection in open)
            {
                connection.Complete();
            }
        }
    }

    private IEnumerable<BufferedEvent> EventsAfter(string lastEventId)
    {
        // An id we sent identifies its position exactly (also for ids a test chose); otherwise
        // a number is read as a position in our own sequence, as ids we assign are.
        long after = -1;
        foreach (var buffered in replay)
        {
            if (buffered.Id == lastEventId)
            {
                after = buffered.Sequence;
            }
        }

        if (after < 0 && !long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return [];
        }

        return [.. replay.Where(e => e.Sequence > after)];
    }

    private sealed record BufferedEvent(long Sequence, string? Id, string? TargetKey, string Frame);
}
