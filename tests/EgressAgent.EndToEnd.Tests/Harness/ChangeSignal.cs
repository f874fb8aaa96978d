namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>Wakes waiters whenever shared state changes, so a wait for a condition is bounded, not a sleep.</summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _next = New();

    public void Notify() => Interlocked.Exchange(ref _next, New()).TrySetResult();

    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            // Take the pending source before checking: a change after the check completes it.
            var next = Volatile.Read(ref _next);
            if (condition())
            {
                return;
            }

            try
            {
                await next.Task.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {describe()}.");
            }
        }
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
