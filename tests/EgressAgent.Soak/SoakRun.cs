using System.Diagnostics;
using System.Globalization;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Soak.Agents;
using EgressAgent.Soak.Checking;
using EgressAgent.Soak.Faults;
using EgressAgent.Soak.Work;

namespace EgressAgent.Soak;

/// <summary>
/// One soak: the emulator in-process, N agents each behind its own fault proxy on its own tmpfs,
/// continuous mixed work, seeded faults for the set time, a drain without faults, a final SIGTERM,
/// then the invariant check and the summary.
/// </summary>
internal sealed class SoakRun(SoakOptions options)
{
    /// <summary>Mean gap between two faults (exponential): about 40 in the CI's 2 minutes.</summary>
    private static readonly TimeSpan MeanFaultGap = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan StartUpBound = TimeSpan.FromSeconds(60);

    public async Task<CheckReport> RunAsync(CancellationToken cancel)
    {
        Directory.CreateDirectory(options.LogDirectory);
        var clock = Stopwatch.StartNew();
        using var log = new LineLog(Path.Combine(options.LogDirectory, "soak.log"), clock);
        using var work = new TempDirectory();
        var sources = DataSources.Create(work.Path);
        var secrets = SoakSecrets.Create(sources.MariaDb?.Password);
        await using var emulator = await OrchestratorEmulator.StartAsync(new EmulatorOptions
        {
            TokenId = SoakAgentSettings.TokenId,
            TokenSecret = secrets.OrchestratorToken,
            PiggybackNextOperation = true,
        });
        var recorder = new HistoryRecorder(emulator, secrets);
        var agentLogs = Enumerable.Range(0, options.Agents)
            .Select(i => new LineLog(Path.Combine(options.LogDirectory, $"agent-{i.ToString(CultureInfo.InvariantCulture)}.log"), clock)).ToList();
        var slots = new List<AgentSlot>();
        Say($"Soak: seed {options.Seed}, {options.DurationSeconds} s, {options.Agents} agent(s), {AgentKind()}, logs in {options.LogDirectory}");
        Say($"Soak: SQL work on SQLite{(sources.Postgres is null ? "" : ", PostgreSQL")}{(sources.MariaDb is null ? "" : ", MariaDB")}");
        try
        {
            for (var i = 0; i < options.Agents; i++)
            {
                // Agent 0 runs through the whole soak (memory is measured on it); with one agent there are no restarts.
                slots.Add(await AgentSlot.StartAsync(i, restartable: i > 0, emulator, (url, data) => SoakAgentSettings.For(url, data, secrets, sources), agentLogs[i], log));
            }

            foreach (var slot in slots)
            {
                await slot.Current.InstanceId.WaitAsync(StartUpBound, cancel);
            }

            var feeder = new WorkFeeder(emulator, new WorkMix(new Random(options.Seed), sources, secrets), options.Agents * SoakAgentSettings.Workers * 2);
            var injector = new FaultInjector(new Random(unchecked((options.Seed * 31) + 7)), emulator, slots, log);
            var memory = new MemorySampler(slots[0], WarmUp(), log);
            using var workStop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            using var faultStop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            faultStop.CancelAfter(TimeSpan.FromSeconds(options.DurationSeconds));
            var feeding = feeder.RunAsync(workStop.Token);
            var sampling = memory.RunAsync(workStop.Token);
            await injector.RunAsync(MeanFaultGap, faultStop.Token);
            await workStop.CancelAsync();
            await Task.WhenAll(feeding, sampling);

            Say($"Soak: faults stopped after {clock.Elapsed.TotalSeconds:0} s; draining (at most {options.DrainSeconds} s)");
            var (drained, state) = await Drain.WaitAsync(emulator, recorder, feeder, slots, TimeSpan.FromSeconds(options.DrainSeconds), log, cancel);
            log.WriteLine(drained ? "drained" : $"drain bound reached: {state}");
            var endMiB = ResidentMemory.MiBOf(slots[0].Current.Pid);
            var rssAtEnd = slots.ToDictionary(s => s.Index, s => ResidentMemory.MiBOf(s.Current.Pid));
            var unfinished = new Dictionary<int, int>();
            foreach (var slot in slots)
            {
                unfinished[slot.Index] = await slot.Current.Management is { } url ? await ManagementProbe.UnfinishedAsync(url) ?? -1 : -1;
            }

            var queuedAtEnd = emulator.QueuedCount;
            foreach (var slot in slots)
            {
                await slot.CloseAsync();
            }

            var history = new SoakHistory
            {
                Operations = feeder.Queued,
                HandOuts = recorder.HandOuts,
                Results = recorder.Results,
                Lives = [.. slots.SelectMany(s => s.Records())],
                Removals = [.. slots.SelectMany(s => s.Removals)],
                CutResultAnswers = CutAnswers(slots),
                Secrets = [.. recorder.Secrets, .. slots.SelectMany(s => OutputScan.Of(s, secrets))],
                Memory = memory.Start is { } start && endMiB is { } end && slots[0].Lives.Count == 1 ? [new MemoryReading(0, start, end)] : [],
                QueuedAtEnd = queuedAtEnd,
                OutboxPendingAtEnd = unfinished,
            };
            var checkedReport = InvariantChecker.Check(history, new SoakLimits(SoakAgentSettings.ShutdownBudget.TotalSeconds));
            var report = checkedReport with
            {
                Violations = [.. checkedReport.Violations, .. injector.Errors.Select(e => new Violation("soak could not inject a fault", e))],
            };
            new SoakSummary(options, history, report, injector.Counts, slots, memory, rssAtEnd, clock.Elapsed).Print(log);
            return report;
        }
        finally
        {
            foreach (var slot in slots)
            {
                await slot.DisposeAsync();
            }

            agentLogs.ForEach(l => l.Dispose());
        }
    }

    /// <summary>Operation ids whose E2 exchange a proxy cut after the orchestrator had it: the agent may not have read the answer.</summary>
    private static HashSet<string> CutAnswers(IEnumerable<AgentSlot> slots) =>
        slots.SelectMany(s => s.Proxy.Requests)
            .Where(r => r.Method == "PUT" && r.Path.EndsWith("/result", StringComparison.Ordinal) && r.Fault.Kind is ProxyFaultKind.Stall or ProxyFaultKind.Reset)
            .Select(r => Uri.UnescapeDataString(r.Path.Split('/')[^2]))
            .ToHashSet(StringComparer.Ordinal);

    private static void Say(string line) => Console.WriteLine(line);

    private string AgentKind() =>
        AgentProcess.NativeAgentPath is { } native ? $"native agent {native}" : "JIT agent (dotnet EgressAgent.Host.dll)";

    /// <summary>Memory is measured from a quarter of the run (at most 30 s) on: start-up and the first JIT and pool growth are over by then.</summary>
    private TimeSpan WarmUp() => TimeSpan.FromSeconds(Math.Min(30, options.DurationSeconds / 4.0));
}
