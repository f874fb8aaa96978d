namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>
/// Wakes waiters whenever shared test state changes, so a test waits for a condition with a
/// bound instead of sleeping and hoping.
/// </summary>
internal sealed class Pulse
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private TaskCompletionSource _next = New();

    public void Notify() => Interlocked.Exchange(ref _next, New()).TrySetResult();

    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        using var deadline = new CancellationTokenSource(limit);
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
                throw new TimeoutException($"Timed out after {limit} waiting for {what}.");
            }
        }
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
