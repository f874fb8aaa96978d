using EgressAgent.EndToEnd.Tests.Harness;

namespace EgressAgent.Soak;

/// <summary>Reads the command line, runs one soak and prints its summary.</summary>
internal static class SoakCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (options, problems) = SoakOptions.Parse(args);
        if (options is null)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync(problem);
            }

            await Console.Error.WriteLineAsync(SoakOptions.Usage);
            return problems.Count == 0 ? 0 : 2; // --help alone is not a problem
        }

        if (options.AgentPath is { } path)
        {
            // Read by AgentProcess when it first starts an agent: the same switch as the end-to-end tests'.
            Environment.SetEnvironmentVariable(AgentProcess.AgentPathVariable, path);
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true; // stop cleanly: the tmpfs mounts and the agents must not outlive the soak
            cancel.Cancel();
        };

        try
        {
            var report = await new SoakRun(options).RunAsync(cancel.Token);
            return report.Passed ? 0 : 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Soak cancelled: no verdict.");
            return 1;
        }
    }
}
