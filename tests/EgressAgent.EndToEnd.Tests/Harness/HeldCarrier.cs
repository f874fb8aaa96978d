using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Lifecycle;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A result stored before a storage fault whose E2 a <see cref="FaultProxy"/> holds. Intake is
/// paused during the fault, so the one way work still reaches the agent is as the
/// <c>next_operation</c> of this result's answer: <see cref="CarryInAsync"/> queues the work and
/// lets the E2 go.
/// </summary>
internal sealed class HeldCarrier
{
    private readonly OrchestratorEmulator _emulator;
    private readonly TaskCompletionSource _release;

    private HeldCarrier(OrchestratorEmulator emulator, string operationId, TaskCompletionSource release)
    {
        _emulator = emulator;
        OperationId = operationId;
        _release = release;
    }

    public string OperationId { get; }

    /// <summary>Hands out an echo (trace <c>t-carrier</c>) and waits until its E2 is held.</summary>
    public static async Task<HeldCarrier> StoreAsync(OrchestratorEmulator emulator, FaultProxy proxy, TimeSpan timeout)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var carrier = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-carrier" });
        var hold = proxy.When(r => r.Is("PUT", $"/api/v1/agent/operations/{carrier}/result"), ProxyFault.HoldUntil(release.Task), times: 1, name: "hold the carrier's E2");
        emulator.SendEvent(new { type = "work_available" });
        await hold.WaitForMatchesAsync(1, timeout);
        return new HeldCarrier(emulator, carrier, release);
    }

    /// <summary>
    /// Queues <paramref name="operation"/> for <paramref name="path"/>, lets the held E2 go and waits
    /// until the emulator accepted it, its answer carrying the operation in; the operation's id.
    /// </summary>
    public async Task<string> CarryInAsync(string path, JsonObject operation, TimeSpan timeout)
    {
        var next = _emulator.Enqueue(path, operation);
        _release.SetResult();
        await _emulator.WaitForAcceptedResultAsync(OperationId, timeout);
        return next;
    }
}
