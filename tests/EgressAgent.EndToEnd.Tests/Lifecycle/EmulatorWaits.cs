using EgressAgent.Emulator;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

internal static class EmulatorWaits
{
    /// <summary>
    /// Waits until <paramref name="operationId"/> was handed out by E1 and the poller's next E1
    /// came back empty: the agent then holds the operation and has no E1 in flight, so a
    /// signal sent now cannot race a fetch.
    /// </summary>
    public static async Task<HandedOutOperation> WaitUntilHeldAsync(OrchestratorEmulator emulator, string operationId, TimeSpan timeout)
    {
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 200, timeout);
        var handOut = Assert.Single(emulator.HandedOut, h => h.OperationId == operationId);
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204 && r.At > handOut.At, timeout);
        return handOut;
    }
}
