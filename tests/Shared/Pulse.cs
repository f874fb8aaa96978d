namespace EgressAgent.Tests.Shared;

/// <summary>
/// Wakes waiters whenever shared test state changes, so a test waits for a condition with a
/// bound instead of sleeping and hoping.
/// </summary>
public sealed class Pulse
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private TaskCompletionSource _next = New();

    public void Notify() => Interlocked.Exchange(ref _next, New()).TrySetResult();

    public Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        WaitUntilAsync(condition, timeout ?? DefaultTimeout, () => what);

    /// <summary>As above; <paramref name="describe"/> is read only on a timeout, so it can report the state then.</summary>
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
