using EgressAgent.Domain.Lifecycle;

namespace EgressAgent.Host.Commands;

internal static class ConfigurationProblems
{
    /// <summary>Lists every problem on stderr; returns exit code 2. Nothing has been contacted.</summary>
    public static int Report(IReadOnlyList<string> problems)
    {
        Console.Error.WriteLine($"Invalid configuration ({problems.Count} problem(s)):");
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"  - {problem}");
        }

        return ExitCodes.InvalidConfiguration;
    }
}
