using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>
/// Contract §6.2: while saturated, the time since the last REST request never exceeds
/// Heartbeat:Interval by more than 1 s — with or without the stream.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class HeartbeatGapTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxGap = Interval + TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_saturated_agent_keeps_the_gap_between_REST_requests_within_the_heartbeat_interval_plus_one_second(bool streamEnabled)
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var id = emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(9)));
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Operations:Workers", "1")
            .Set("Heartbeat:Interval", "00:00:02")
            .Set("Operations:ActivityTimeout", "00:00:08")
            .Set("Operations:PollInterval", "00:00:04")
            .Set("Events:Enabled", streamEnabled ? "true" : "false"));

        await emulator.WaitForResultsAsync(1, Bound);

        // Saturated from the E1 that handed the operation out to the PUT of its result.
        var requests = emulator.Requests;
        var handOut = Assert.Single(emulator.HandedOut);
        Assert.Equal(id, handOut.OperationId);
        var fetch = requests.Last(r => Wire.IsFetch(r) && r.At <= handOut.At);
        var publish = requests.First(r => Wire.IsResultOf(r, id));
        var rest = requests
            .Where(r => r.Path != Wire.Stream && r.At >= fetch.At && r.At <= publish.At)
            .OrderBy(r => r.At)
            .ToList();
        var gaps = rest.Zip(rest.Skip(1), (earlier, later) => later.At - earlier.At).ToList();
        output.WriteLine($"largest gap {gaps.Max()}, {rest.Count(Wire.IsHeartbeat)} heartbeats: {Wire.Describe(rest)}");

        Assert.True(gaps.Max() <= MaxGap, $"A gap of {gaps.Max()} between REST requests while saturated: {Wire.Describe(rest)}");
        Assert.True(rest.Count(Wire.IsHeartbeat) >= 3, $"Expected at least 3 heartbeats during the 9 s operation: {Wire.Describe(rest)}");
        if (!streamEnabled)
        {
            Assert.DoesNotContain(requests, r => r.Path == Wire.Stream);
        }
    }
}
