using System.Globalization;
using System.Text.Json.Nodes;

namespace EgressAgent.Emulator;

/// <summary>Operations waiting for an agent; each one is handed to exactly one caller.</summary>
internal sealed class OperationQueue
{
    private const string SizeExceededKey = "__mcd_size_exceeded__";

    private readonly object gate = new();
    private readonly LinkedList<QueuedOperation> waiting = new();
    private readonly Dictionary<string, string> oversizedBodies = new(StringComparer.Ordinal);
    private readonly BoundedLog<HandedOutOperation> handedOut;
    private readonly TimeProvider time;
    private long lastGeneratedId;

    public OperationQueue(TimeProvider time, int historyCapacity)
    {
        this.time = time;
        handedOut = new BoundedLog<HandedOutOperation>(historyCapacity);
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return waiting.Count;
            }
        }
    }

    public IReadOnlyList<HandedOutOperation> HandedOut
    {
        get
        {
            lock (gate)
            {
                return handedOut.ToArray();
            }
        }
    }

    public string Enqueue(string path, JsonObject operation, string? operationId, bool oversized, JsonObject? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(operation);

        // Serialising now freezes the operation: the caller may keep mutating its object,
        // and a JsonNode cannot be parented by two envelopes anyway.
        var id = operationId ?? "op-" + Interlocked.Increment(ref lastGeneratedId).ToString(CultureInfo.InvariantCulture);
        var fullBody = operation.ToJsonString();
        JsonNode inline;
        if (oversized)
        {
            var placeholder = new JsonObject { [SizeExceededKey] = true };
            if (operation.TryGetPropertyValue("trace_id", out var traceId))
            {
                placeholder["trace_id"] = traceId?.DeepClone();
            }

            inline = placeholder;
        }
        else
        {
            inline = operation.DeepClone();
        }

        var envelope = new JsonObject
        {
            ["operation_id"] = id,
            ["path"] = path,
            ["operation"] = inline,
        };
        if (credentials is not null)
        {
            envelope["credentials"] = credentials.DeepClone();
        }

        var envelopeJson = envelope.ToJsonString();

        lock (gate)
        {
            if (oversized)
            {
                oversizedBodies[id] = fullBody;
            }

            waiting.AddLast(new QueuedOperation(id, envelopeJson));
        }

        return id;
    }

    /// <summary>Raised for every operation handed out, after it left the queue, on the request's thread.</summary>
    public event Action<HandedOutOperation>? HandedOutRaised;

    /// <summary>Takes the first waiting operation for <paramref name="instanceId"/>; <paramref name="carriedBy"/> names the result whose answer carries it (piggyback), null for E1.</summary>
    public bool TryDequeue(string? instanceId, string? carriedBy, out QueuedOperation operation)
    {
        HandedOutOperation record;
        lock (gate)
        {
            var first = waiting.First;
            if (first is null)
            {
                operation = default;
                return false;
            }

            waiting.RemoveFirst();
            operation = first.Value;
            record = new HandedOutOperation(operation.OperationId, instanceId, time.GetUtcNow(), ViaPiggyback: carriedBy is not null, carriedBy);
            handedOut.Add(record);
        }

        // Outside the lock: a subscriber (a soak's history) may take its own locks.
        HandedOutRaised?.Invoke(record);
        return true;
    }

    /// <summary>
    /// Queues an envelope exactly as given (hostile-input tests: text no JsonNode can hold, such
    /// as escaped lone surrogates). Returns <paramref name="label"/>, under which it is handed out.
    /// </summary>
    public string EnqueueRaw(string envelopeJson, string? label)
    {
        ArgumentNullException.ThrowIfNull(envelopeJson);
        var id = label ?? "raw-" + Interlocked.Increment(ref lastGeneratedId).ToString(CultureInfo.InvariantCulture);
        lock (gate)
        {
            waiting.AddLast(new QueuedOperation(id, envelopeJson));
        }

        return id;
    }

    public bool TryGetOversizedBody(string operationId, out string body)
    {
        lock (gate)
        {
            return oversizedBodies.TryGetValue(operationId, out body!);
        }
    }
}
