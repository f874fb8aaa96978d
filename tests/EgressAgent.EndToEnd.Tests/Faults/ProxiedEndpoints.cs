using EgressAgent.EndToEnd.Tests.Harness;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>The contract's endpoints (§3, §4) as <see cref="FaultProxy"/> sees them, and the agent set up behind it.</summary>
internal static class ProxiedEndpoints
{
    public static bool IsFetch(ProxiedRequest r) => r.Is("GET", "/api/v1/agent/operation");

    public static bool IsResult(ProxiedRequest r) => r.Is("PUT", "/result");

    public static bool IsHeartbeat(ProxiedRequest r) => r.Is("POST", "/api/v1/agent/heartbeat");

    public static bool IsShutdownNotice(ProxiedRequest r) => r.Is("POST", "/api/v1/agent/shutdown");

    public static bool IsDownload(ProxiedRequest r) => r.Is("GET", "/request");

    public static bool IsPing(ProxiedRequest r) => r.Is("GET", "/api/v1/test/ping");

    public static bool IsStream(ProxiedRequest r) => r.Is("GET", "/stream");

    /// <summary>Points the agent at the proxy instead of the emulator.</summary>
    public static AgentSettings Through(this AgentSettings settings, FaultProxy proxy) =>
        settings.Set("Orchestrator:BaseUrl", proxy.BaseUrl.ToString());

    /// <summary>An idle poll far beyond every wait of a test: whatever work is picked up was woken by the stream.</summary>
    public static AgentSettings PollOnlyOncePerMinute(this AgentSettings settings) =>
        settings.Set("Operations:PollInterval", "00:01:00").Set("Operations:ActivityTimeout", "00:02:00");

    /// <summary>
    /// Asserts <paramref name="actual"/> lies in [<paramref name="atLeast"/>, <paramref name="below"/>). Times taken
    /// at the proxy start after the agent's own clock for the exchange did (connecting takes a moment), so lower
    /// bounds are loose: they tell a timeout from an instant failure, the upper bound is the contract's.
    /// </summary>
    public static void InWindow(TimeSpan actual, TimeSpan atLeast, TimeSpan below, string what) =>
        Assert.True(actual >= atLeast && actual < below, $"{what} took {actual.TotalMilliseconds:0} ms, expected [{atLeast.TotalMilliseconds:0}, {below.TotalMilliseconds:0}) ms");
}
