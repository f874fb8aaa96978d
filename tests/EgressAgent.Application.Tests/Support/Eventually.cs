using System.Diagnostics;

namespace EgressAgent.Application.Tests.Support;

/// <summary>Bounded waits for conditions set by code running on other threads.</summary>
internal static class Eventually
{
    /// <summary>Generous: only reached when a test fails, and the machine is shared.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Timeout;
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Timed out after {limit} waiting until {what}.");
            }

            await Task.Delay(2);
        }
    }

    /// <summary>Awaits a task the test expects to finish, failing instead of hanging.</summary>
    public static Task CompletesAsync(this Task task) => task.WaitAsync(Timeout);

    public static Task<T> CompletesAsync<T>(this Task<T> task) => task.WaitAsync(Timeout);
}
