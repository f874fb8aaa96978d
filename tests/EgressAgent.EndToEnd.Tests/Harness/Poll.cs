using System.Diagnostics;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A bounded wait for what nothing announces — a line the agent writes to a file in its data
/// directory without a request or a log line to go with it. Where the emulator or the agent's
/// output signals the event, tests wait on that instead.
/// </summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Returns once <paramref name="condition"/> holds; fails the test naming <paramref name="what"/> past <paramref name="bound"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan bound, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < bound, $"timed out after {bound} waiting for {what}");
            await Task.Delay(Interval);
        }
    }
}
