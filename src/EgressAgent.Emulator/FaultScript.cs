namespace EgressAgent.Emulator;

/// <summary>Scripted misbehaviour of the orchestrator; every setting is read per request.</summary>
internal sealed class FaultScript
{
    private readonly Queue<int> resultStatuses = new();
    private readonly object scriptGate = new();
    private int operationFetchStatus;
    private long resultDelayTicks;
    private volatile bool emptyResultBody;
    private volatile bool streamSilent;
    private volatile bool unavailable;
    private readonly List<(Func<string, bool> OperationId, int StatusCode)> resultFailures = [];

    public int OperationFetchStatusOverride
    {
        get => Volatile.Read(ref operationFetchStatus);
        set
        {
            if (value != 0)
            {
                ValidateStatus(value);
            }

            Volatile.Write(ref operationFetchStatus, value);
        }
    }

    public TimeSpan ResultResponseDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref resultDelayTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref resultDelayTicks, value.Ticks);
        }
    }

    public bool EmptyResultBody
    {
        get => emptyResultBody;
        set => emptyResultBody = value;
    }

    public bool StreamSilent
    {
        get => streamSilent;
        set => streamSilent = value;
    }

    /// <summary>Gets or sets a value indicating whether every agent request, /stream included, is answered 503 (an outage).</summary>
    public bool Unavailable
    {
        get => unavailable;
        set => unavailable = value;
    }

    /// <summary>Replaces the script; an empty list clears it.</summary>
    public void ScriptResultStatuses(int[] statusCodes)
    {
        ArgumentNullException.ThrowIfNull(statusCodes);
        foreach (var status in statusCodes)
        {
            ValidateStatus(status);
        }

        lock (scriptGate)
        {
            resultStatuses.Clear();
            foreach (var status in statusCodes)
            {
                resultStatuses.Enqueue(status);
            }
        }
    }

    public bool TryTakeScriptedResultStatus(out int statusCode)
    {
        lock (scriptGate)
        {
            return resultStatuses.TryDequeue(out statusCode);
        }
    }

    /// <summary>From now on, result PUTs for operation ids <paramref name="operationId"/> matches are answered <paramref name="statusCode"/>.</summary>
    public void FailResultsFor(Func<string, bool> operationId, int statusCode)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        ValidateStatus(statusCode);
        lock (scriptGate)
        {
            resultFailures.Add((operationId, statusCode));
        }
    }

    /// <summary>The status of the first <see cref="FailResultsFor"/> rule matching <paramref name="operationId"/>.</summary>
    public bool TryGetResultFailure(string operationId, out int statusCode)
    {
        lock (scriptGate)
        {
            foreach (var (matches, status) in resultFailures)
            {
                if (matches(operationId))
                {
                    statusCode = status;
                    return true;
                }
            }
        }

        statusCode = 0;
        return false;
    }

    private static void ValidateStatus(int statusCode)
    {
        if (statusCode is < 200 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A final HTTP status code lies between 200 and 599.");
        }
    }
}
