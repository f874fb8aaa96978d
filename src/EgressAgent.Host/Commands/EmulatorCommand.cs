using System.Runtime.InteropServices;
using EgressAgent.Emulator;

namespace EgressAgent.Host.Commands;

/// <summary><c>emulator</c>: the orchestrator emulator alone, until SIGINT/SIGTERM.</summary>
internal static class EmulatorCommand
{
    public static async Task<int> RunAsync(int port, string pathPrefix, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        var options = new EmulatorOptions { Port = port, PathPrefix = pathPrefix, Log = Console.WriteLine };
        await using var emulator = await OrchestratorEmulator.StartAsync(options, cancellationToken);
        Console.WriteLine($"Orchestrator emulator listening.");
        Console.WriteLine($"  agent base URL : {emulator.BaseUrl}");
        Console.WriteLine($"  admin API      : {emulator.AdminUrl} (POST operations, events, goodbye; GET requests, results)");
        Console.WriteLine($"  credential     : TokenId={options.TokenId} TokenSecret=<the emulator's default, see EmulatorOptions>");
        // The first check an operator runs against a new agent (docs/operations.md, "Is my agent's network right?").
        Console.WriteLine($"  a diagnostic   : curl -X POST {new Uri(emulator.AdminUrl, "operations")} -d '{{\"path\": \"/api/v1/test/network/dns\", \"operation\": {{\"host\": \"example.com\"}}}}'");
        Console.WriteLine("Press Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
