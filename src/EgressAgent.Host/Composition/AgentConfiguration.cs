using System.Globalization;
using EgressAgent.Application.Configuration;
using Microsoft.Extensions.Configuration;

namespace EgressAgent.Host.Composition;

/// <summary>
/// Configuration in the order of docs/protocol.md §8 — appsettings.json, legacy aliases, environment
/// (<c>EgressAgent__Section__Key</c>), command line (<c>--EgressAgent:Section:Key=value</c>) —
/// and its validation, which reports every problem at once (exit 2).
/// </summary>
internal static class AgentConfiguration
{
    /// <summary>Keys whose text must parse before binding; the binder would stop at the first bad one.</summary>
    private static readonly Dictionary<string, Func<string, bool>> TypedKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EgressAgent:Orchestrator:AuthFailureExitAfter"] = IsDuration,
        ["EgressAgent:Events:Enabled"] = v => bool.TryParse(v, out _),
        ["EgressAgent:Events:IdleTimeout"] = IsDuration,
        ["EgressAgent:Events:MaxReconnectDelay"] = IsDuration,
        ["EgressAgent:Operations:Workers"] = v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        ["EgressAgent:Operations:PollInterval"] = IsDuration,
        ["EgressAgent:Operations:ActivityTimeout"] = IsDuration,
        ["EgressAgent:Heartbeat:Interval"] = IsDuration,
        ["EgressAgent:Shutdown:Budget"] = IsDuration,
        ["EgressAgent:Results:TimeToLive"] = IsDuration,
        ["EgressAgent:Orchestrator:Timeouts:FetchOperation"] = IsDuration,
        ["EgressAgent:Orchestrator:Timeouts:PublishResult"] = IsDuration,
        ["EgressAgent:Orchestrator:Timeouts:Heartbeat"] = IsDuration,
        ["EgressAgent:Orchestrator:Timeouts:NotifyShutdown"] = IsDuration,
        ["EgressAgent:Orchestrator:Timeouts:DownloadOperation"] = IsDuration,
        ["EgressAgent:Orchestrator:Timeouts:Ping"] = IsDuration,
    };

    public static IConfigurationBuilder AddAgentSources(this IConfigurationBuilder builder, IReadOnlyList<string> args) =>
        builder
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddLegacyEnvironmentAliases(Environment.GetEnvironmentVariables())
            .AddEnvironmentVariables()
            .AddCommandLine([.. args]);

    /// <summary>Binds and validates; returns every problem, none when the configuration is usable.</summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration, out AgentOptions options)
    {
        var problems = new List<string>();
        var usable = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configuration.GetSection(AgentOptions.SectionName).AsEnumerable())
        {
            if (value is null)
            {
                continue;
            }

            if (TypedKeys.TryGetValue(key, out var parses) && !parses(value))
            {
                problems.Add($"{key} has an unreadable value '{value}' (durations look like 00:00:30).");
                continue;
            }

            usable[key] = value;
        }

        options = new AgentOptions();
        new ConfigurationBuilder().AddInMemoryCollection(usable).Build().GetSection(AgentOptions.SectionName).Bind(options);
        problems.AddRange(new AgentOptionsValidator().Validate(options).Errors.Select(e => e.ErrorMessage));
        return problems;
    }

    private static bool IsDuration(string value) => TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _);
}
