using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EgressAgent.Host.Composition;

/// <summary>
/// Configuration in the order of docs/protocol.md §8 — appsettings.json, legacy aliases, environment
/// (<c>EgressAgent__Section__Key</c>), command line (<c>--EgressAgent:Section:Key=value</c>) —
/// and its validation, which reports every problem at once (exit 2).
/// </summary>
internal static class AgentConfiguration
{
    public static IConfigurationBuilder AddAgentSources(this IConfigurationBuilder builder, IReadOnlyList<string> args) =>
        builder
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddLegacyEnvironmentAliases(Environment.GetEnvironmentVariables())
            .AddEnvironmentVariables()
            .AddCommandLine([.. args]);

    /// <summary>
    /// Every problem, none when the configuration is usable. Runs the sections' own registrations
    /// (<see cref="AgentOptionsRegistration.AddAgentOptions"/>) in a container that holds nothing
    /// else, so no part of the agent is built, let alone contacts anything, from a bad configuration.
    /// </summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        var usable = new ConfigurationManager();
        using var options = new ServiceCollection().AddSingleton<IConfiguration>(usable).AddAgentOptions().BuildServiceProvider();

        var problems = new List<string>();
        var unreadable = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var check in options.GetServices<IConfigurationValueCheck>())
        {
            foreach (var (key, problem) in check.Unreadable(configuration))
            {
                problems.Add(problem);
                unreadable.Add(key);
            }
        }

        // The values without the unreadable ones: the binder keeps those defaults instead of
        // throwing, and the validators still check everything else. Options bind lazily, so
        // filling the configuration now is still before any binding.
        usable.AddInMemoryCollection(configuration.AsEnumerable().Where(e => e.Value is not null && !unreadable.Contains(e.Key)));
        try
        {
            options.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            problems.AddRange(ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures));
        }

        return problems;
    }
}
