using EgressAgent.EndToEnd.Tests.Harness;

namespace EgressAgent.Soak.Faults;

/// <summary>
/// Which exchanges one proxy fault hits and how. E1 is only ever stalled or reset before it reaches
/// the orchestrator: an E1 answer cut after the orchestrator handed an operation out would lose it
/// in transit where no checker could see it (E2 answers can be cut: the emulator names the
/// operation a cut answer carried, and the checker allows for it).
/// </summary>
internal sealed record ProxyFaultPlan(string Exchange, Func<ProxiedRequest, bool> Match, ProxyFault Fault, int Times, TimeSpan Hold)
{
    private static readonly (string Name, Func<ProxiedRequest, bool> Match)[] Exchanges =
    [
        ("E1", r => r.Is("GET", "/api/v1/agent/operation")),
        ("E2", r => r.Method == "PUT" && r.Path.EndsWith("/result", StringComparison.Ordinal)),
        ("E3", r => r.Is("POST", "/api/v1/agent/heartbeat")),
        ("E5", r => r.Method == "GET" && r.Path.EndsWith("/request", StringComparison.Ordinal)),
        ("stream", r => r.Is("GET", "/stream")),
    ];

    public static ProxyFaultPlan Draw(Random random, bool stall)
    {
        var (name, match) = Exchanges[random.Next(Exchanges.Length)];
        var fault = (name, stall, random.Next(2)) switch
        {
            ("E1", true, _) => ProxyFault.HalfOpen(),
            ("E1", false, _) => ProxyFault.ResetBeforeAnswer(),
            ("stream", true, 0) => ProxyFault.HalfOpen(),
            ("stream", true, _) => ProxyFault.StallAfterBodyBytes(random.Next(0, 256)),
            ("stream", false, 0) => ProxyFault.ResetBeforeAnswer(),
            ("stream", false, _) => ProxyFault.ResetAfterBodyBytes(random.Next(0, 256)),
            (_, true, 0) => ProxyFault.HalfOpen(),
            (_, true, _) => ProxyFault.StallAfterHeaders(),
            (_, false, 0) => ProxyFault.ResetBeforeAnswer(),
            (_, false, _) => ProxyFault.ResetAfterBodyBytes(0),
        };
        return new ProxyFaultPlan(name, match, fault, random.Next(1, 4), TimeSpan.FromSeconds(random.Next(2, 11)));
    }

    public override string ToString() => $"{Exchange} {Fault} x{Times} within {Hold.TotalSeconds:0} s";
}
