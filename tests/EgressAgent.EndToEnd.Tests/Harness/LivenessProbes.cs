using System.Diagnostics;
using System.Globalization;
using System.Net;
using EgressAgent.EndToEnd.Tests.Fleet;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary><c>/livez</c> as the liveness tests read it while a loop of the agent is held in the kernel, and once it returns.</summary>
internal static class LivenessProbes
{
    /// <summary>
    /// Probes <c>/livez</c> every 100 ms until the first 503, which says when the agent began to call
    /// <paramref name="loop"/> stuck: no sooner than <paramref name="bound"/> after the hand-out
    /// (<paramref name="sinceHandOut"/>), with the loops check failing alone and its description
    /// naming the loop and its bound (<c>storage: one step working for …, bound 30 s (stuck)</c>).
    /// </summary>
    public static async Task WaitForStuckLoopAsync(this ManagementEndpoint management, string loop, TimeSpan bound, Stopwatch sinceHandOut, ITestOutputHelper output, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(management);
        ArgumentNullException.ThrowIfNull(sinceHandOut);
        ArgumentNullException.ThrowIfNull(output);
        var stuck = await management.ProbeUntilAsync("/livez", p => p.Status == HttpStatusCode.ServiceUnavailable, timeout);
        var failedAfter = sinceHandOut.Elapsed;
        output.WriteLine($"/livez failed {failedAfter} after the hand-out: {stuck.Body.ToJsonString()}");
        Assert.True(failedAfter >= bound, $"/livez failed {failedAfter} after the hand-out, before the {loop} step's bound of {bound}.");
        Assert.Equal(["loops"], stuck.Failing);
        Assert.Contains($"{loop}: one step working for", stuck.Description("loops"), StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"bound {bound.TotalSeconds:0} s (stuck)"), stuck.Description("loops"), StringComparison.Ordinal);
    }

    /// <summary>Probes <c>/livez</c> until it is 200 again, the loops check healthy.</summary>
    public static async Task WaitForLiveAgainAsync(this ManagementEndpoint management, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(management);
        var live = await management.ProbeUntilAsync("/livez", p => p.Status == HttpStatusCode.OK, timeout);
        Assert.Equal("healthy", live.StatusOf("loops"));
    }
}
