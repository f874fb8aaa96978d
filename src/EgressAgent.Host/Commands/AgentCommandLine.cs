using System.CommandLine;
using EgressAgent.Host.Composition;

namespace EgressAgent.Host.Commands;

/// <summary>
/// <c>run</c> (default), <c>demo</c>, <c>emulator</c>, <c>check</c>. Tokens the parser does not know
/// (<c>--EgressAgent:Section:Key=value</c>) are configuration and pass through to it.
/// </summary>
internal static class AgentCommandLine
{
    public static Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("EgressAgent: the outbound-only bridge between a private network and the orchestrator.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };

        var run = Command("run", "Run the agent (the default).", AgentHost.RunAsync);
        var check = Command("check", "Validate configuration, call the orchestrator's ping once, print the answer (exit 0 when reachable, else 1).", CheckCommand.RunAsync);
        var demo = Command("demo", "Run the agent against an embedded orchestrator emulator with sample work; needs no configuration.", DemoCommand.RunAsync);

        var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var prefix = new Option<string>("--path-prefix") { Description = "Path prefix for the agent endpoints, e.g. /prefix.", DefaultValueFactory = _ => string.Empty };
        var emulator = new Command("emulator", "Run the orchestrator emulator alone (admin API under /admin).") { port, prefix };
        emulator.SetAction((result, ct) => EmulatorCommand.RunAsync(result.GetValue(port), result.GetValue(prefix) ?? string.Empty, ct));

        root.Add(run);
        root.Add(check);
        root.Add(demo);
        root.Add(emulator);
        root.SetAction(result => AgentHost.RunAsync(result.UnmatchedTokens));

        // The agent owns SIGTERM/SIGINT (a second one escalates); the parser must not take them.
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    private static Command Command(string name, string description, Func<IReadOnlyList<string>, Task<int>> action)
    {
        var command = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(result => action(result.UnmatchedTokens));
        return command;
    }
}
