using System.Text.Json.Nodes;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 "Storage faults lose nothing": while results cannot be stored, health
/// <c>state</c> says <c>degraded</c> with the reason. The health operation's own result has to be
/// stored too, so it is published only after recovery — and still says what it saw. Through the
/// real process on a real full disk (a small tmpfs the test fills; stored results stay readable,
/// unlike an outbox directory replaced by a file). Intake is paused during the fault, so the
/// health operation reaches the agent the one way work still can: as the <c>next_operation</c> of
/// a result stored before the fault, whose E2 a proxy holds until the fault is in place.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class HealthDuringStorageFaultTests(ITestOutputHelper output)
{
    private const string Health = "/api/v1/test/health";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [SmallFileSystemFact]
    public async Task A_health_operation_run_while_results_cannot_be_stored_reports_degraded_with_the_reason_and_is_published_after_recovery()
    {
        await using var disk = await SmallFileSystem.MountAsync(mebibytes: 4);
        var dataDirectory = Path.Combine(disk.Path, "data");
        await using var rig = await StorageFaultRig.StartAsync(dataDirectory, output, Bound);
        var (emulator, agent) = (rig.Emulator, rig.Agent);

        // A: stored while the disk has room; its E2 is held in flight.
        var carrier = await rig.HoldACarrierAsync(Bound);

        // The disk fills; B cannot be stored: the agent is degraded and intake pauses. B is larger
        // than a page, so it cannot slip into the room left in the page A's segment ends in.
        var filler = await disk.FillAsync();
        var unstorable = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-unstorable", ["pad"] = new string('x', 16 * 1024) });
        emulator.SendEvent(new { type = "work_available" });
        await agent.WaitForLineAsync(l => l.Contains("Storage degraded", StringComparison.Ordinal), Bound);
        var degradedSeen = DateTimeOffset.UtcNow;
        await emulator.WaitForRequestAsync(r => Wire.IsHeartbeat(r) && r.At > degradedSeen, Bound); // no fetch under way now

        // The health operation comes as A's next_operation and runs during the fault.
        var during = await carrier.CarryInAsync(Health, new JsonObject { ["trace_id"] = "t-health-during" }, Bound);
        Assert.True(Assert.Single(emulator.HandedOut, h => h.OperationId == during).ViaPiggyback);
        await agent.WaitForLineAsync(l => l.Contains($"The result of operation {during} could not be stored", StringComparison.Ordinal), Bound);
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == during || r.OperationId == unstorable); // in memory only

        File.Delete(filler); // space comes back

        var report = (await emulator.WaitForAcceptedResultAsync(during, Bound)).Result!["__mcd_result__"]!.AsObject();
        await emulator.WaitForAcceptedResultAsync(unstorable, Bound);
        await agent.WaitForLineAsync(l => l.Contains("Storage recovered", StringComparison.Ordinal), Bound);
        output.WriteLine($"health during the fault: {report.ToJsonString()}");
        Assert.Equal("degraded", report["state"]!.GetValue<string>());
        var reason = report["degraded_reason"]!.GetValue<string>();
        Assert.Contains("no space left on device", reason, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(dataDirectory, reason, StringComparison.Ordinal); // what failed, never where

        // After recovery the same operation says running, without a reason.
        var after = emulator.Enqueue(Health, new JsonObject { ["trace_id"] = "t-health-after" });
        emulator.SendEvent(new { type = "work_available" });
        var recovered = (await emulator.WaitForAcceptedResultAsync(after, Bound)).Result!["__mcd_result__"]!.AsObject();
        Assert.Equal("running", recovered["state"]!.GetValue<string>());
        Assert.False(recovered.ContainsKey("degraded_reason"), recovered.ToJsonString());

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.All(new[] { carrier.OperationId, unstorable, during, after }, id => Assert.Single(emulator.Results, r => r.OperationId == id));
    }
}
