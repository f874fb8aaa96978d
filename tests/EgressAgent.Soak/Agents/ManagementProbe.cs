using System.Globalization;
using System.Text.RegularExpressions;
using EgressAgent.EndToEnd.Tests.Harness;

namespace EgressAgent.Soak.Agents;

/// <summary>Reads an agent's <c>/metrics</c> (§11): how many results still wait in its outbox.</summary>
internal static partial class ManagementProbe
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The management URL the agent printed when it bound <c>http://127.0.0.1:0</c>.</summary>
    public static async Task<Uri?> UrlOfAsync(AgentProcess agent, TimeSpan timeout)
    {
        try
        {
            var line = await agent.WaitForLineAsync(l => ListeningLine().IsMatch(l), timeout);
            return new Uri(ListeningLine().Match(line).Groups["url"].Value);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Work the agent still holds: <c>egress_outbox_pending</c> + <c>egress_operations_in_flight</c>
    /// (§11), or null when either cannot be read.
    /// </summary>
    public static async Task<int?> UnfinishedAsync(Uri management)
    {
        try
        {
            var text = await Http.GetStringAsync(new Uri(management, "/metrics"));
            return Gauge(text, PendingLine()) + Gauge(text, InFlightLine());
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static int? Gauge(string text, Regex line) =>
        line.Match(text) is { Success: true } match ? (int)double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"Management endpoints \(/livez, /readyz, /metrics\) listening on (?<url>http://[^\s,]+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^egress_outbox_pending(\{[^}]*\})? (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex PendingLine();

    [GeneratedRegex(@"^egress_operations_in_flight(\{[^}]*\})? (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex InFlightLine();
}
