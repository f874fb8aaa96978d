using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Fleet;

/// <summary>
/// Contract §7/§11: the management endpoint stops within the shutdown budget whatever its clients
/// do — a scraper that never reads its answers, a probe that never finishes its headers or its
/// body — so the process never outlives <c>Shutdown:Budget</c> + 2 s because of it.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class ManagementShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Connections_held_open_on_the_management_endpoint_do_not_keep_the_process_past_the_budget_plus_2_s()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Management:Urls", ManagementEndpoint.AnyFreePort)
            .Set("Shutdown:Budget", "00:00:02"));
        using var management = await ManagementEndpoint.OfAsync(agent, Bound);
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
        await management.ProbeUntilAsync("/readyz", p => p.Status == HttpStatusCode.OK, Bound);

        var endpoint = new IPEndPoint(IPAddress.Loopback, management.BaseAddress.Port);
        using var scraper = await HoldAsync(endpoint, string.Concat(Enumerable.Repeat("GET /metrics HTTP/1.1\r\nHost: agent\r\n\r\n", 400)));
        using var headers = await HoldAsync(endpoint, "GET /readyz HTTP/1.1\r\nHost: agent\r\nX-Slow: ");
        using var body = await HoldAsync(endpoint, "POST /livez HTTP/1.1\r\nHost: agent\r\nContent-Length: 1000000\r\n\r\n{\"a\":");
        await Task.Delay(TimeSpan.FromSeconds(1)); // the scraper's answers fill the socket buffers

        var clock = Stopwatch.StartNew();
        agent.Signal(PosixSignal.SIGTERM);
        var exitCode = await agent.WaitForExitAsync(Bound);
        clock.Stop();
        output.WriteLine($"exited {clock.Elapsed.TotalSeconds:0.00} s after SIGTERM with code {exitCode}");

        Assert.Equal(0, exitCode);
        Assert.True(clock.Elapsed < Budget + TimeSpan.FromSeconds(2), $"the process outlived the budget + 2 s: {clock.Elapsed}");
    }

    /// <summary>A client that sends <paramref name="request"/> and then neither reads nor writes.</summary>
    private static async Task<Socket> HoldAsync(IPEndPoint endpoint, string request)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(endpoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        return socket;
    }
}
