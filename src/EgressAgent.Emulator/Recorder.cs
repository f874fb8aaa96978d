using System.Globalization;
using System.Text;

namespace EgressAgent.Emulator;

/// <summary>
/// Everything the agent sent, for assertions. Waiters are completed by the recording itself
/// (no polling), so a test wakes up as soon as the awaited traffic has happened.
/// </summary>
internal sealed class Recorder
{
    private readonly object gate = new();
    private readonly BoundedLog<Sequenced<RecordedRequest>> requests;
    private readonly BoundedLog<RecordedResult> results;
    private readonly BoundedLog<RecordedResult> accepted;
    private readonly List<RequestWaiter> requestWaiters = [];
    private readonly List<ResultWaiter> resultWaiters = [];
    private readonly Action<string> log;
    private long nextSequence;
    private long acceptedCount;

    public Recorder(int capacity, Action<string> log)
    {
        requests = new BoundedLog<Sequenced<RecordedRequest>>(capacity);
        results = new BoundedLog<RecordedResult>(capacity);
        accepted = new BoundedLog<RecordedResult>(capacity);
        this.log = log;
    }

    public event Action<RecordedResult>? ResultReceived;

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (gate)
            {
                var snapshot = new RecordedRequest[requests.Count];
                for (var i = 0; i < snapshot.Length; i++)
                {
                    snapshot[i] = requests[i].Value;
                }

                return snapshot;
            }
        }
    }

    public IReadOnlyList<RecordedResult> Results
    {
        get
        {
            lock (gate)
            {
                return results.ToArray();
            }
        }
    }

    /// <summary>Reserves the arrival position of a request whose status is not known yet.</summary>
    public long NextSequence() => Interlocked.Increment(ref nextSequence);

    public void AddRequest(long sequence, RecordedRequest request)
    {
        lock (gate)
        {
            // Requests are recorded when answered, which is not always arrival order
            // (a slow E2 overtaken by a heartbeat); the sequence restores arrival order.
            var index = requests.Count;
            while (index > 0 && requests[index - 1].Sequence > sequence)
            {
                index--;
            }

            requests.Insert(index, new Sequenced<RecordedRequest>(sequence, request));

            for (var i = requestWaiters.Count - 1; i >= 0; i--)
            {
                var waiter = requestWaiters[i];
                if (waiter.TryMatch(request))
                {
                    requestWaiters.RemoveAt(i);
                }
            }
        }
    }

    public void AddResult(RecordedResult result)
    {
        lock (gate)
        {
            results.Add(result);
            if (result.Accepted)
            {
                accepted.Add(result);
                acceptedCount++;
                for (var i = resultWaiters.Count - 1; i >= 0; i--)
                {
                    var waiter = resultWaiters[i];
                    if (acceptedCount >= waiter.Count)
                    {
                        resultWaiters.RemoveAt(i);
                        waiter.Completion.TrySetResult(accepted.ToArray());
                    }
                }
            }
        }

        var handlers = ResultReceived;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<RecordedResult>>())
        {
            try
            {
                handler(result);
            }
            catch (Exception exception)
            {
                // A test's handler throwing must not break the request that triggered it.
                log("ResultReceived handler threw: " + exception.Message);
            }
        }
    }

    public async Task<IReadOnlyList<RecordedResult>> WaitForResultsAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var waiter = new ResultWaiter(count);
        lock (gate)
        {
            if (acceptedCount >= count)
            {
                return accepted.ToArray();
            }

            resultWaiters.Add(waiter);
        }

        try
        {
            return await waiter.Completion.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(DescribeResultTimeout(count, timeout));
        }
        finally
        {
            lock (gate)
            {
                resultWaiters.Remove(waiter);
            }
        }
    }

    public async Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var waiter = new RequestWaiter(predicate);
        var matchedAlready = false;
        lock (gate)
        {
            for (var i = 0; i < requests.Count && !matchedAlready; i++)
            {
                matchedAlready = waiter.TryMatch(requests[i].Value);
            }

            if (!matchedAlready)
            {
                requestWaiters.Add(waiter);
            }
        }

        if (matchedAlready)
        {
            return await waiter.Completion.Task;
        }

        try
        {
            return await waiter.Completion.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"No matching request within {timeout}. ") + DescribeRecentRequests());
        }
        finally
        {
            lock (gate)
            {
                requestWaiters.Remove(waiter);
            }
        }
    }

    private string DescribeResultTimeout(int count, TimeSpan timeout)
    {
        var text = new StringBuilder();
        lock (gate)
        {
            text.Append(CultureInfo.InvariantCulture, $"Expected at least {count} accepted result(s) within {timeout}; ")
                .Append(CultureInfo.InvariantCulture, $"{acceptedCount} accepted out of {results.Count} received.");
            var failed = results.ToArray().Where(r => !r.Accepted).TakeLast(5).ToArray();
            if (failed.Length > 0)
            {
                text.Append(" Last rejected: ")
                    .AppendJoin(", ", failed.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.OperationId}→{r.StatusCode}")))
                    .Append('.');
            }
        }

        return text.Append(' ').Append(DescribeRecentRequests()).ToString();
    }

    private string DescribeRecentRequests()
    {
        lock (gate)
        {
            if (requests.Count == 0)
            {
                return "No request reached the agent API at all (wrong base URL or path prefix?).";
            }

            var recent = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{requests.Count} request(s) recorded; the last ones: ");
            var first = Math.Max(0, requests.Count - 10);
            for (var i = first; i < requests.Count; i++)
            {
                var request = requests[i].Value;
                recent.Append(CultureInfo.InvariantCulture, $"{request.Method} {request.PathWithPrefix} → {request.StatusCode}")
                    .Append(i + 1 < requests.Count ? "; " : ".");
            }

            return recent.ToString();
        }
    }

    private readonly record struct Sequenced<T>(long Sequence, T Value);

    private sealed class ResultWaiter(int count)
    {
        public int Count { get; } = count;

        public TaskCompletionSource<IReadOnlyList<RecordedResult>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class RequestWaiter(Func<RecordedRequest, bool> predicate)
    {
        public TaskCompletionSource<RecordedRequest> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryMatch(RecordedRequest request)
        {
            try
            {
                if (!predicate(request))
                {
                    return false;
                }

                Completion.TrySetResult(request);
            }
            catch (Exception exception)
            {
                // The predicate is test code: its failure belongs to the waiting test.
                Completion.TrySetException(exception);
            }

            return true;
        }
    }
}
