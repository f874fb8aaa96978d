using System.Diagnostics;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// When a child process ended, as the kernel saw it: <c>/proc/&lt;pid&gt;/stat</c> shows the zombie
/// state from the moment it exits until the test process reaps it. The test process's own exit
/// notification can lag by most of a second on a loaded machine (its thread pool wakes late),
/// which would be charged to the agent by a time-bound test.
/// </summary>
internal static class ExitWatch
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Completes with <paramref name="clock"/>'s reading when process <paramref name="pid"/> has
    /// exited (or is gone already), polling until <paramref name="timeout"/>.
    /// </summary>
    public static Task<TimeSpan> ExitedAtAsync(int pid, Stopwatch clock, TimeSpan timeout) =>
        Task.Run(async () =>
        {
            var stat = $"/proc/{pid}/stat";
            using var deadline = new CancellationTokenSource(timeout);
            while (true)
            {
                try
                {
                    var text = await File.ReadAllTextAsync(stat, deadline.Token);
                    // The state follows the command name in parentheses: "pid (name) S ...".
                    var state = text.AsSpan(text.LastIndexOf(')') + 2);
                    if (state.Length > 0 && state[0] is 'Z' or 'X')
                    {
                        return clock.Elapsed;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return clock.Elapsed; // reaped already: it ended no later than now
                }

                await Task.Delay(PollInterval, deadline.Token);
            }
        });
}
