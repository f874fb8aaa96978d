using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;

namespace EgressAgent.Benchmarks;

/// <summary>
/// A load run against the emulator (docs/performance.md): the real agent as a child process, N echo
/// operations, W workers. Reports throughput, the agent's CPU per operation (user and system),
/// pickup latency (handed out → result received), bytes allocated per operation (from the agent's
/// own <c>/metrics</c>), start → stream connected, and resident memory after start and after the burst.
/// Usage: dotnet run -c Release --project tests/EgressAgent.Benchmarks -- [operations] [workers] [runs] [--warmup n] [--native &lt;path&gt;] [--agent &lt;label&gt;=&lt;path&gt;]...
/// With <c>--native</c> (or <c>EGRESS_AGENT_PATH</c>) the native agent is measured too, run for
/// run alternating with the JIT build, and the medians are printed side by side (docs/performance.md).
/// </summary>
internal static class LoadBenchmark
{
    private const string TokenId = "bench-id";
    private const string TokenSecret = "bench-secret";
    private static readonly TimeSpan SettleAfterStart = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan IdleAfterBurst = TimeSpan.FromSeconds(10);

    private static readonly (string Name, string Format, Func<RunSample, double> Value)[] Columns =
    [
        ("ops/s", "0", s => s.OpsPerSecond),
        ("cpu ms/op", "0.000", s => s.CpuMsPerOp),
        ("user ms/op", "0.000", s => s.UserMsPerOp),
        ("sys ms/op", "0.000", s => s.SystemMsPerOp),
        ("p50 ms", "0.0", s => s.P50Ms),
        ("p99 ms", "0.0", s => s.P99Ms),
        ("KiB alloc/op", "0.0", s => s.AllocatedKiBPerOp),
        ("start→stream ms", "0", s => s.StartToStreamMs),
        ("start rss MiB", "0.0", s => s.AfterStart.RssMiB),
        ("start anon MiB", "0.0", s => s.AfterStart.AnonMiB),
        ("idle cpu ms/10s", "0", s => s.IdleCpuMs),
        ("burst rss MiB", "0.0", s => s.AfterBurst.RssMiB),
        ("burst anon MiB", "0.0", s => s.AfterBurst.AnonMiB),
        ("GCs/1k ops", "0.0", s => s.CollectionsPerThousandOps),
        ("gc pause ms/op", "0.000", s => s.GcPauseMsPerOp),
    ];

    /// <summary>System.Runtime's GC counters in Prometheus form: what a smaller gen0 budget costs.</summary>
    private const string Collections = "dotnet_gc_collections_total";
    private const string PauseSeconds = "dotnet_gc_pause_time_seconds_total";

    public static async Task<int> RunAsync(string[] args)
    {
        var positional = new List<int>();
        var warmup = 0;
        var management = true;
        List<AgentUnderTest> agents = [AgentUnderTest.Jit];
        if (Environment.GetEnvironmentVariable("EGRESS_AGENT_PATH") is { Length: > 0 } fromEnvironment)
        {
            agents.Add(AgentUnderTest.Other("native", fromEnvironment));
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--native" && i + 1 < args.Length)
            {
                agents.RemoveAll(a => a.Label == "native");
                agents.Add(AgentUnderTest.Other("native", args[++i]));
            }
            else if (args[i] == "--no-management")
            {
                // The contract's default (docs/protocol.md §8: Management:Urls off): no Kestrel, no exporter, so the
                // allocation and GC columns, read from /metrics, are empty.
                management = false;
            }
            else if (args[i] == "--no-jit")
            {
                agents.RemoveAll(a => a == AgentUnderTest.Jit);
            }
            else if (args[i] == "--warmup" && i + 1 < args.Length)
            {
                warmup = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--agent" && i + 1 < args.Length && args[++i].Split('=', 2) is [var label, var path])
            {
                // Any other executable, e.g. a script that runs an earlier build: before/after.
                agents.Add(AgentUnderTest.Other(label, path));
            }
            else
            {
                positional.Add(int.Parse(args[i], CultureInfo.InvariantCulture));
            }
        }

        var operations = positional.Count > 0 ? positional[0] : 2000;
        var workers = positional.Count > 1 ? positional[1] : 16;
        var runs = positional.Count > 2 ? positional[2] : 5;

        Console.WriteLine($"{operations} echo operations (after {warmup} unmeasured), {workers} workers, {runs} runs, management endpoint {(management ? "on" : "off")}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        foreach (var agent in agents)
        {
            Console.WriteLine($"  {agent.Label}: {agent.Executable ?? "dotnet EgressAgent.Host.dll"}");
        }

        Console.WriteLine($"{"agent",-7} {"run",3} " + string.Join(' ', Columns.Select(c => c.Name.PadLeft(Width(c.Name)))));
        var samples = agents.ToDictionary(a => a, _ => new List<RunSample>());
        for (var run = 1; run <= runs; run++)
        {
            // Alternating, so a change in the machine's load over time affects both alike.
            foreach (var agent in agents)
            {
                var sample = await RunOnceAsync(agent, operations, warmup, workers, management);
                samples[agent].Add(sample);
                Console.WriteLine($"{agent.Label,-7} {run,3} " + string.Join(' ', Columns.Select(c => Cell(c.Value(sample), c.Format, c.Name))));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"medians of {runs} runs");
        Console.WriteLine($"| figure | {string.Join(" | ", agents.Select(a => a.Label))} |");
        Console.WriteLine($"|---|{string.Concat(agents.Select(_ => "---|"))}");
        foreach (var (name, format, value) in Columns)
        {
            Console.WriteLine($"| {name} | {string.Join(" | ", agents.Select(a => Median(samples[a], value).ToString(format, CultureInfo.InvariantCulture)))} |");
        }

        return 0;
    }

    private static async Task<RunSample> RunOnceAsync(AgentUnderTest agentUnderTest, int operations, int warmup, int workers, bool management)
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(new EmulatorOptions { TokenId = TokenId, TokenSecret = TokenSecret });
        var data = Path.Combine(Path.GetTempPath(), $"egress-bench-{Guid.NewGuid():N}");
        var managementPort = FreePort();
        using var metrics = new MetricsScrape(new Uri($"http://127.0.0.1:{managementPort}/metrics"));
        var launchedAt = DateTimeOffset.UtcNow;
        using var agent = StartAgent(agentUnderTest, emulator, data, workers, management ? managementPort : null);
        try
        {
            var stream = await emulator.WaitForRequestAsync(r => r.Path == "/stream", TimeSpan.FromSeconds(30));
            var startToStream = stream.At - launchedAt;

            // Start-up is over (JIT of the start path, first requests): this is the idle footprint.
            await Task.Delay(SettleAfterStart);
            var afterStart = ProcStatus.Read(agent.Id);
            if (warmup > 0)
            {
                // A long-running agent's steady state: the JIT has tiered up the per-operation path.
                Enqueue(emulator, "w", warmup);
                await emulator.WaitForResultsAsync(warmup, TimeSpan.FromMinutes(5));
                await Task.Delay(SettleAfterStart);
            }

            var allocatedBefore = await metrics.AllocatedBytesAsync();
            var (collectionsBefore, pauseBefore) = (await metrics.TotalAsync(Collections), await metrics.TotalAsync(PauseSeconds));
            agent.Refresh();
            var (userBefore, systemBefore) = (agent.UserProcessorTime, agent.PrivilegedProcessorTime);
            var started = Stopwatch.GetTimestamp();
            var measured = Enqueue(emulator, "b", operations);
            await emulator.WaitForResultsAsync(warmup + operations, TimeSpan.FromMinutes(5));
            var elapsed = Stopwatch.GetElapsedTime(started);
            agent.Refresh();
            var (user, system) = (agent.UserProcessorTime - userBefore, agent.PrivilegedProcessorTime - systemBefore);
            var allocatedAfter = await metrics.AllocatedBytesAsync();
            var (collectionsAfter, pauseAfter) = (await metrics.TotalAsync(Collections), await metrics.TotalAsync(PauseSeconds));

            var latencies = PickupLatencies(emulator, measured);
            var idleCpu = await IdleCpuAsync(agent);
            var afterBurst = ProcStatus.Read(agent.Id);
            emulator.SendEvent(new { type = "goodbye", reason = "benchmark done" });
            await agent.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return new RunSample(
                operations / elapsed.TotalSeconds,
                (user + system).TotalMilliseconds / operations,
                user.TotalMilliseconds / operations,
                system.TotalMilliseconds / operations,
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.99),
                (allocatedAfter - allocatedBefore) / 1024.0 / operations,
                startToStream.TotalMilliseconds,
                afterStart,
                idleCpu,
                afterBurst,
                (collectionsAfter - collectionsBefore) * 1000 / operations,
                (pauseAfter - pauseBefore) * 1000 / operations);
        }
        finally
        {
            if (!agent.HasExited)
            {
                agent.Kill(entireProcessTree: true);
            }

            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>CPU over the 10 s after the burst: the old agent spun a core here.</summary>
    private static async Task<double> IdleCpuAsync(Process agent)
    {
        agent.Refresh();
        var before = agent.TotalProcessorTime;
        await Task.Delay(IdleAfterBurst);
        agent.Refresh();
        return (agent.TotalProcessorTime - before).TotalMilliseconds;
    }

    private static HashSet<string> Enqueue(OrchestratorEmulator emulator, string prefix, int count)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            ids.Add(emulator.Enqueue("/api/v1/agent/execute/builtin/echo", new JsonObject { ["trace_id"] = $"{prefix}-{i}", ["i"] = i }));
        }

        emulator.SendEvent(new { type = "work_available" });
        return ids;
    }

    private static List<double> PickupLatencies(OrchestratorEmulator emulator, HashSet<string> measured)
    {
        var handedOut = emulator.HandedOut.ToDictionary(h => h.OperationId, h => h.At);
        return emulator.Results
            .Where(r => r.Accepted && measured.Contains(r.OperationId) && handedOut.ContainsKey(r.OperationId))
            .Select(r => (r.At - handedOut[r.OperationId]).TotalMilliseconds)
            .Order()
            .ToList();
    }

    private static Process StartAgent(AgentUnderTest agentUnderTest, OrchestratorEmulator emulator, string data, int workers, int? managementPort)
    {
        var start = agentUnderTest.StartInfo();
        start.Environment["EgressAgent__Orchestrator__BaseUrl"] = emulator.BaseUrl.ToString();
        start.Environment["EgressAgent__Orchestrator__TokenId"] = TokenId;
        start.Environment["EgressAgent__Orchestrator__TokenSecret"] = TokenSecret;
        start.Environment["EgressAgent__Operations__Workers"] = workers.ToString(CultureInfo.InvariantCulture);
        start.Environment["EgressAgent__Storage__DataDirectory"] = data;
        if (managementPort is { } port)
        {
            start.Environment["EgressAgent__Management__Urls"] = $"http://127.0.0.1:{port}";
        }

        start.Environment["Logging__LogLevel__Default"] = Environment.GetEnvironmentVariable("EGRESS_BENCH_LOG_LEVEL") ?? "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"[agent] {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int Width(string name) => Math.Max(name.Length, 6);

    private static string Cell(double value, string format, string name) =>
        value.ToString(format, CultureInfo.InvariantCulture).PadLeft(Width(name));

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static double Median(List<RunSample> samples, Func<RunSample, double> value)
    {
        var sorted = samples.Select(value).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private sealed record RunSample(
        double OpsPerSecond,
        double CpuMsPerOp,
        double UserMsPerOp,
        double SystemMsPerOp,
        double P50Ms,
        double P99Ms,
        double AllocatedKiBPerOp,
        double StartToStreamMs,
        ProcStatus AfterStart,
        double IdleCpuMs,
        ProcStatus AfterBurst,
        double CollectionsPerThousandOps,
        double GcPauseMsPerOp);
}
