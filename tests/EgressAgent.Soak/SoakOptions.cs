using System.Globalization;

namespace EgressAgent.Soak;

/// <summary>The soak's command line.</summary>
internal sealed record SoakOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project tests/EgressAgent.Soak -- [--duration SECONDS] [--agents N] [--agent-path NATIVE_BINARY] [--seed N] [--drain SECONDS] [--logs DIRECTORY]
          --duration   seconds of faults and work (default 120)
          --agents     agent processes, 1..8 (default 3); agent 0 is never restarted (its memory is measured), the others are
          --agent-path the native agent to run (default: EGRESS_AGENT_PATH, else the JIT build next to the soak)
          --seed       replays the same sequence of work and faults (default: random, printed)
          --drain      longest wait, after the faults stop, for every result to arrive (default 180)
          --logs       where each agent's output and the soak's own log go (default /tmp/egress-soak-<seed>)
        Needs root on Linux: each agent's data directory is on its own small tmpfs.
        """;

    public int DurationSeconds { get; init; } = 120;

    public int Agents { get; init; } = 3;

    public string? AgentPath { get; init; }

    public int Seed { get; init; }

    public int DrainSeconds { get; init; } = 180;

    public string LogDirectory { get; init; } = "";

    /// <summary>The options, or null with the problems (all of them); null and no problem for <c>--help</c>.</summary>
    public static (SoakOptions? Options, IReadOnlyList<string> Problems) Parse(IReadOnlyList<string> args)
    {
        var problems = new List<string>();
        var options = new SoakOptions { Seed = Random.Shared.Next(1, int.MaxValue) };
        string? logs = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                return (null, []);
            }

            if (i + 1 >= args.Count)
            {
                problems.Add($"{name}: a value is missing");
                break;
            }

            var value = args[++i];
            switch (name)
            {
                case "--duration":
                    options = options with { DurationSeconds = Number(name, value, 1, 24 * 3600, problems) };
                    break;
                case "--agents":
                    options = options with { Agents = Number(name, value, 1, 8, problems) };
                    break;
                case "--seed":
                    options = options with { Seed = Number(name, value, 0, int.MaxValue, problems) };
                    break;
                case "--drain":
                    options = options with { DrainSeconds = Number(name, value, 10, 3600, problems) };
                    break;
                case "--agent-path":
                    if (!File.Exists(value))
                    {
                        problems.Add($"--agent-path: no file at {value}");
                    }

                    options = options with { AgentPath = Path.GetFullPath(value) };
                    break;
                case "--logs":
                    logs = value;
                    break;
                default:
                    problems.Add($"unknown option {name}");
                    break;
            }
        }

        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            problems.Add("the soak mounts a tmpfs per agent: it needs root on Linux");
        }

        options = options with { LogDirectory = Path.GetFullPath(logs ?? Path.Combine(Path.GetTempPath(), $"egress-soak-{options.Seed.ToString(CultureInfo.InvariantCulture)}")) };
        return problems.Count == 0 ? (options, []) : (null, problems);
    }

    private static int Number(string name, string value, int min, int max, List<string> problems)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            return number;
        }

        problems.Add($"{name}: '{value}' is not a whole number from {min} to {max}");
        return min;
    }
}
