using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// The real agent of a storage-fault test, storing into a data directory on the file system the
/// test makes fail: an emulator that answers a result with the next operation, a
/// <see cref="FaultProxy"/> between them that can hold a request (<see cref="HoldACarrierAsync"/>),
/// and the agent with two workers, a 2 s heartbeat and a 5 s poll, started and idle (its first
/// fetch found nothing, its stream is open). Disposed agent first, emulator last.
/// </summary>
internal sealed class StorageFaultRig : IAsyncDisposable
{
    private readonly TempDirectory _workingDirectory = new();
    private OrchestratorEmulator? _emulator;
    private FaultProxy? _proxy;
    private AgentProcess? _agent;

    private StorageFaultRig()
    {
    }

    public OrchestratorEmulator Emulator => _emulator!;

    public FaultProxy Proxy => _proxy!;

    public AgentProcess Agent => _agent!;

    /// <summary>Starts the rig and waits, within <paramref name="timeout"/>, until the agent is idle.</summary>
    /// <param name="dataDirectory">The agent's <c>Storage:DataDirectory</c>, on the file system the test makes fail.</param>
    /// <param name="output">Where the agent's and the proxy's lines go.</param>
    /// <param name="timeout">The bound of each wait.</param>
    /// <param name="configure">Settings of the test's own, beyond the rig's.</param>
    public static async Task<StorageFaultRig> StartAsync(string dataDirectory, ITestOutputHelper output, TimeSpan timeout, Action<AgentSettings>? configure = null)
    {
        var rig = new StorageFaultRig();
        try
        {
            var options = EmulatorCredential.Options();
            options.PiggybackNextOperation = true;
            rig._emulator = await OrchestratorEmulator.StartAsync(options);
            rig._proxy = FaultProxy.Start(rig._emulator.BaseUrl, output);
            rig._agent = AgentProcess.Start(rig._emulator, rig._workingDirectory, output, s =>
            {
                s.Set("Orchestrator:BaseUrl", rig._proxy.BaseUrl.ToString())
                    .Set("Storage:DataDirectory", dataDirectory)
                    .Set("Operations:Workers", "2")
                    .Set("Heartbeat:Interval", "00:00:02")
                    .Set("Operations:PollInterval", "00:00:05");
                configure?.Invoke(s);
            });
            await rig._emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, timeout);
            await rig._emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, timeout);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stores a result while storage still works and holds its E2 in the proxy (see <see cref="HeldCarrier"/>).</summary>
    public Task<HeldCarrier> HoldACarrierAsync(TimeSpan timeout) => HeldCarrier.StoreAsync(Emulator, Proxy, timeout);

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _workingDirectory.Dispose();
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }
}
