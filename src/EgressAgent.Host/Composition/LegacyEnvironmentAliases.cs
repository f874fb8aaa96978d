using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace EgressAgent.Host.Composition;

/// <summary>
/// The reference agent's environment variables, mapped onto our keys so an existing deployment
/// can switch without edits. Added below <c>EgressAgent__*</c> variables, which win.
/// </summary>
internal static class LegacyEnvironmentAliases
{
    private static readonly (string Variable, string Key, Func<string, string?> Convert)[] Aliases =
    [
        ("BACKEND_SERVICE_URL", "EgressAgent:Orchestrator:BaseUrl", v => v),
        ("LOCAL_TOKEN_ID", "EgressAgent:Orchestrator:TokenId", v => v),
        ("LOCAL_TOKEN_SECRET", "EgressAgent:Orchestrator:TokenSecret", v => v),
        ("MCD_TOKEN_FILE_PATH", "EgressAgent:Orchestrator:TokenFile", v => v),
        ("MCD_OPS_RUNNER_THREAD_COUNT", "EgressAgent:Operations:Workers", v => v),
        ("MCD_POLL_INTERVAL_SECONDS", "EgressAgent:Operations:PollInterval", Seconds),
        ("MCD_SSE_NOTIFICATIONS_ENABLED", "EgressAgent:Events:Enabled", v => v),
    ];

    public static IConfigurationBuilder AddLegacyEnvironmentAliases(this IConfigurationBuilder builder, IDictionary environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key, convert) in Aliases)
        {
            if (environment[variable] is string value && value.Length > 0)
            {
                values[key] = convert(value);
            }
        }

        return builder.AddInMemoryCollection(values);
    }

    /// <summary>Seconds as the TimeSpan text the binder reads; an unreadable value is passed on so validation names it.</summary>
    private static string? Seconds(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture)
            : value;
}
