using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;

namespace EgressAgent.Benchmarks;

/// <summary>
/// A load run against the emulator (issue 4): the real agent as a child process, N echo
/// operations, W workers. Reports throughput, the agent's CPU per operation, pickup latency
/// (handed out → result received), and the agent's idle footprint after the burst.
/// Usage: dotnet run -c Release --project tests/EgressAgent.Benchmarks -- [operations] [workers] [runs]
/// With EGRESS_AGENT_PATH set, that executable (the native agent, docs/adr/0026) is measured instead.
/// </summary>
internal static class LoadBenchmark
{
    private const string TokenId = "bench-id";
    private const string TokenSecret = "bench-secret";

    private static readonly string? AgentPath = Environment.GetEnvironmentVariable("EGRESS_AGENT_PATH") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    public static async Task<int> RunAsync(string[] args)
    {
        var operations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
        var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;

        Console.WriteLine($"{operations} echo operations, {workers} workers, {runs} runs, {Environment.ProcessorCount} cores");
        Console.WriteLine($"agent: {AgentPath ?? "dotnet EgressAgent.Host.dll"}");
        Console.WriteLine($"{"run",4} {"ops/s",9} {"cpu ms/op",10} {"p50 ms",8} {"p99 ms",8} {"idle cpu ms/10s",16} {"idle rss MiB",13} {"anon MiB",9} {"start→stream ms",16}");
        var samples = new List<RunSample>();
        for (var run = 1; run <= runs; run++)
        {
            var sample = await RunOnceAsync(operations, workers);
            samples.Add(sample);
            Console.WriteLine($"{run,4} {sample.OpsPerSecond,9:0} {sample.CpuMsPerOp,10:0.000} {sample.P50Ms,8:0.0} {sample.P99Ms,8:0.0} {sample.IdleCpuMs,16:0} {sample.IdleRssMiB,13:0.0} {sample.IdleAnonMiB,9:0.0} {sample.StartToStreamMs,16:0}");
        }

        Console.WriteLine(
            $"median {Median(samples, s => s.OpsPerSecond),9:0} {Median(samples, s => s.CpuMsPerOp),10:0.000} {Median(samples, s => s.P50Ms),8:0.0} " +
            $"{Median(samples, s => s.P99Ms),8:0.0} {Median(samples, s => s.IdleCpuMs),16:0} {Median(samples, s => s.IdleRssMiB),13:0.0} {Median(samples, s => s.IdleAnonMiB),9:0.0} {Median(samples, s => s.StartToStreamMs),16:0}");
        return 0;
    }

    private static async Task<RunSample> RunOnceAsync(int operations, int workers)
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(new EmulatorOptions { TokenId = TokenId, TokenSecret = TokenSecret });
        var data = Path.Combine(Path.GetTempPath(), $"egress-bench-{Guid.NewGuid():N}");
        var launched = Stopwatch.GetTimestamp();
        using var agent = StartAgent(emulator, data, workers);
        try
        {
            await emulator.WaitForRequestAsync(r => r.Path == "/stream", TimeSpan.FromSeconds(30));
            var startToStream = Stopwatch.GetElapsedTime(launched);
            await Task.Delay(500); // let start-up JIT settle so CPU counts the work, not the start
            agent.Refresh();
            var cpuBefore = agent.TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < operations; i++)
            {
                emulator.Enqueue("/api/v1/agent/execute/builtin/echo", new JsonObject { ["trace_id"] = $"b-{i}", ["i"] = i });
            }

            emulator.SendEvent(new { type = "work_available" });
            await emulator.WaitForResultsAsync(operations, TimeSpan.FromMinutes(5));
            var elapsed = Stopwatch.GetElapsedTime(started);
            agent.Refresh();
            var cpu = agent.TotalProcessorTime - cpuBefore;

            var latencies = PickupLatencies(emulator);
            var (idleCpu, idleRss, idleAnon) = await IdleFootprintAsync(agent);
            emulator.SendEvent(new { type = "goodbye", reason = "benchmark done" });
            await agent.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return new RunSample(
                operations / elapsed.TotalSeconds,
                cpu.TotalMilliseconds / operations,
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.99),
                idleCpu,
                idleRss,
                idleAnon,
                startToStream.TotalMilliseconds);
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

    /// <summary>
    /// CPU over the 10 s after the burst (the old agent spun a core here), then resident memory:
    /// all of it, and the anonymous (private) part without the shared, file-backed runtime images.
    /// </summary>
    private static async Task<(double CpuMs, double RssMiB, double AnonMiB)> IdleFootprintAsync(Process agent)
    {
        agent.Refresh();
        var before = agent.TotalProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(10));
        agent.Refresh();
        return ((agent.TotalProcessorTime - before).TotalMilliseconds, agent.WorkingSet64 / 1024.0 / 1024.0, AnonymousMiB(agent.Id));
    }

    private static double AnonymousMiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    private static List<double> PickupLatencies(OrchestratorEmulator emulator)
    {
        var handedOut = emulator.HandedOut.ToDictionary(h => h.OperationId, h => h.At);
        return emulator.Results
            .Where(r => r.Accepted && handedOut.ContainsKey(r.OperationId))
            .Select(r => (r.At - handedOut[r.OperationId]).TotalMilliseconds)
            .Order()
            .ToList();
    }

    private static Process StartAgent(OrchestratorEmulator emulator, string data, int workers)
    {
        var start = new ProcessStartInfo(AgentPath ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (AgentPath is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EgressAgent.Host.dll"));
        }

        start.Environment["EgressAgent__Orchestrator__BaseUrl"] = emulator.BaseUrl.ToString();
        start.Environment["EgressAgent__Orchestrator__TokenId"] = TokenId;
        start.Environment["EgressAgent__Orchestrator__TokenSecret"] = TokenSecret;
        start.Environment["EgressAgent__Operations__Workers"] = workers.ToString(CultureInfo.InvariantCulture);
        start.Environment["EgressAgent__Storage__DataDirectory"] = data;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"[agent] {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static double Median(List<RunSample> samples, Func<RunSample, double> value)
    {
        var sorted = samples.Select(value).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private sealed record RunSample(double OpsPerSecond, double CpuMsPerOp, double P50Ms, double P99Ms, double IdleCpuMs, double IdleRssMiB, double IdleAnonMiB, double StartToStreamMs);
}
