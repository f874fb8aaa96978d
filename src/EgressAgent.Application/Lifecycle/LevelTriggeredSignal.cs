namespace EgressAgent.Application.Lifecycle;

/// <summary>
/// A wake-up that is never lost: <see cref="Set"/> before anyone waits makes the next wait return
/// at once. Several sets before a wait collapse into one wake-up, which is what a poller needs:
/// one more fetch, not one per notification.
/// </summary>
public sealed class LevelTriggeredSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _pending = NewSource();
    private bool _set;

    public void Set()
    {
        TaskCompletionSource toComplete;
        lock (_gate)
        {
            _set = true;
            toComplete = _pending;
        }

        toComplete.TrySetResult();
    }

    /// <summary>Returns true when signalled, false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Task waitFor;
        lock (_gate)
        {
            if (_set)
            {
                _set = false;
                return true;
            }

            if (_pending.Task.IsCompleted)
            {
                _pending = NewSource();
            }

            waitFor = _pending.Task;
        }

        try
        {
            await waitFor.WaitAsync(timeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            return false;
        }

        lock (_gate)
        {
            _set = false;
        }

        return true;
    }

    public Task<bool> WaitAsync(CancellationToken cancellationToken) =>
        WaitAsync(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
