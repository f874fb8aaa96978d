using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using EgressAgent.EndToEnd.Tests.Fleet;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 and docs/adr/0043 "Storage liveness" through the real process on a real stalled
/// volume: the data directory is on a loop-mounted ext4 image that the test freezes
/// (<c>fsfreeze</c>), so the kernel holds the agent's own store in its write or fsync — no
/// timeout, no cancellation reaches it. Up to <c>AgentLoops.StoreBound</c> (30 s) that is only a
/// slow store; past it <c>/livez</c> fails naming the storage loop, <c>/readyz</c> and health say
/// the storage is stuck (without a path), and intake pauses while heartbeats go on. After the
/// thaw the held result is stored and published once and <c>/livez</c> is 200 again. Black-box:
/// no file name of the data directory is read or written.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class StalledVolumeTests(ITestOutputHelper output)
{
    private const string Health = "/api/v1/test/health";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StoreBound = TimeSpan.FromSeconds(30);

    [FreezableVolumeFact]
    public async Task A_store_held_by_a_frozen_volume_fails_livez_past_30_s_and_not_before_health_says_why_and_after_the_thaw_the_result_is_published_once()
    {
        await using var volume = await FreezableVolume.MountAsync(mebibytes: 32);
        await using var rig = await StorageFaultRig.StartAsync(Path.Combine(volume.Path, "data"), output, Bound, s => s
            .Set("Management:Urls", ManagementEndpoint.AnyFreePort));
        var (emulator, agent) = (rig.Emulator, rig.Agent);
        using var management = await ManagementEndpoint.OfAsync(agent, Bound);

        // A: stored while the volume answers; its E2 is held, so its answer can later carry the
        // health operation in while intake is paused.
        var carrier = await rig.HoldACarrierAsync(Bound);
        Assert.Equal(HttpStatusCode.OK, (await management.ProbeAsync("/livez")).Status);

        // The volume stops answering; B's store is held by the kernel (thawed on any way out, so a
        // failing test never leaves the agent unkillable in an uninterruptible sleep).
        await using var frozen = await volume.FreezeAsync();
        var frozenAt = DateTimeOffset.UtcNow;
        var held = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-held", ["n"] = 7 });
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 200 && r.At > frozenAt, Bound);
        var sinceHandOut = Stopwatch.StartNew();

        await management.WaitForStuckLoopAsync("storage", StoreBound, sinceHandOut, output, Bound);
        var notReady = await management.ProbeAsync("/readyz");
        output.WriteLine($"/readyz while stuck: {notReady.Body.ToJsonString()}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Contains("storage", notReady.Failing);
        Assert.StartsWith("storage stuck: a store has not returned for", notReady.Description("storage"), StringComparison.Ordinal);
        Assert.DoesNotContain(volume.Path, notReady.Body.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == held);

        // Intake is paused although a worker is free: a fetch may have been under way when the
        // store became stuck, but from the next heartbeat on none comes — three beats (6 s) outlast
        // the 5 s poll interval that would otherwise fetch.
        var stuckSeen = DateTimeOffset.UtcNow;
        var firstBeat = await emulator.WaitForRequestAsync(r => Wire.IsHeartbeat(r) && r.At > stuckSeen, Bound);
        await emulator.WaitForNthRequestAsync(r => Wire.IsHeartbeat(r) && r.At > firstBeat.At, 3, Bound);
        Assert.DoesNotContain(emulator.Requests, r => Wire.IsFetch(r) && r.At > firstBeat.At);

        // The health operation comes as A's next_operation and runs on the other worker while the
        // store is stuck (counted before its own store, which the volume holds too).
        var during = await carrier.CarryInAsync(Health, new JsonObject { ["trace_id"] = "t-health-during" }, Bound);
        var ran = await management.ScrapeUntilAsync(s => s.Value("egress_operations_total", ("outcome", "success")) >= 3, Bound);
        Assert.Equal(3, ran.Value("egress_operations_total", ("outcome", "success")));
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == held || r.OperationId == during);

        await volume.ThawAsync();

        var delivered = await emulator.WaitForAcceptedResultAsync(held, Bound);
        Assert.Equal(7, delivered.Result!["__mcd_result__"]!["n"]!.GetValue<int>());
        var report = (await emulator.WaitForAcceptedResultAsync(during, Bound)).Result!["__mcd_result__"]!.AsObject();
        output.WriteLine($"health while stuck: {report.ToJsonString()}");
        Assert.Equal("degraded", report["state"]!.GetValue<string>());
        var reason = report["degraded_reason"]!.GetValue<string>();
        Assert.StartsWith("storage stuck: a store has not returned for", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(volume.Path, reason, StringComparison.Ordinal); // what failed, never where
        await management.WaitForLiveAgainAsync(Bound);
        var ready = await management.ProbeUntilAsync("/readyz", p => p.Status == HttpStatusCode.OK, Bound);
        Assert.Equal("healthy", ready.StatusOf("storage"));

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.All(new[] { carrier.OperationId, held, during }, id => Assert.Single(emulator.Results, r => r.OperationId == id));
    }
}
