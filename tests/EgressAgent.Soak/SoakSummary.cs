using System.Globalization;
using System.Text;
using EgressAgent.Soak.Agents;
using EgressAgent.Soak.Checking;
using EgressAgent.Soak.Faults;

namespace EgressAgent.Soak;

/// <summary>The soak's closing report: figures, the contract's allowed outcomes used, every violation, and one last line for CI.</summary>
internal sealed class SoakSummary(
    SoakOptions options,
    SoakHistory history,
    CheckReport report,
    IReadOnlyDictionary<FaultKind, int> faults,
    IReadOnlyList<AgentSlot> slots,
    MemorySampler memory,
    IReadOnlyDictionary<int, double?> rssAtEnd,
    TimeSpan elapsed)
{
    public void Print(LineLog log)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"== Chaos soak: seed {options.Seed} (replay: --seed {options.Seed} --duration {options.DurationSeconds} --agents {options.Agents}), {elapsed.TotalSeconds:0} s in all ==");
        var accepted = history.Results.Where(r => r.Accepted).Select(r => r.OperationId).ToHashSet(StringComparer.Ordinal);
        text.AppendLine(c, $"operations: {history.Operations.Count} queued, {report.HandedOut} handed out, {report.Delivered} answered, {report.Redeliveries} identical re-deliveries (E2 idempotency)");
        var byKind = history.HandOuts
            .GroupBy(h => history.Operations.GetValueOrDefault(h.OperationId)?.Kind ?? "?")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count(h => accepted.Contains(h.OperationId))}/{g.Count()}");
        text.AppendLine(c, $"  answered/handed out by kind: {string.Join(", ", byKind)}");
        text.AppendLine(c, $"  allowed outcomes without a result: {Join(report.AllowedOutcomes.Select(a => $"{a.Key}: {a.Value}"))}");
        text.AppendLine(c, $"faults injected: {faults.Values.Sum()} ({Join(faults.OrderBy(f => f.Key).Select(f => $"{f.Key} {f.Value}"))}); goodbyes never heard (SIGTERM instead): {slots.Sum(s => s.GoodbyesUnheard)}");
        var ends = history.Lives.GroupBy(l => l.End).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
        text.AppendLine(c, $"agent processes: {history.Lives.Count} ({history.Lives.Count - slots.Count} restarts); ended by: {Join(ends)}");
        if (history.Memory.FirstOrDefault() is { } steady)
        {
            text.AppendLine(c, $"RSS agent 0 (never restarted): {steady.StartMiB:0.0} MiB after warm-up, peak {memory.Peak:0.0} MiB, {steady.EndMiB:0.0} MiB at the end (bound {new SoakLimits(SoakAgentSettings.ShutdownBudget.TotalSeconds).MemoryBoundMiB(steady.StartMiB):0.0} MiB)");
        }

        text.AppendLine(c, $"RSS at the end, per agent: {Join(rssAtEnd.OrderBy(r => r.Key).Select(r => $"agent {r.Key} {r.Value:0.0} MiB"))}");
        text.AppendLine(c, $"invariant violations: {report.Violations.Count}");
        foreach (var violation in report.Violations.Take(50))
        {
            text.AppendLine(c, $"  - {violation}");
        }

        if (report.Violations.Count > 50)
        {
            text.AppendLine(c, $"  … and {report.Violations.Count - 50} more (all in {options.LogDirectory}/soak.log)");
        }

        text.Append(c, $"Soak {(report.Passed ? "PASSED" : "FAILED")}: seed {options.Seed}, {report.HandedOut} operations handed out, {report.Delivered} answered, {faults.Values.Sum()} faults, {history.Lives.Count - slots.Count} restarts, {report.Violations.Count} violations");
        if (history.Memory.FirstOrDefault() is { } rss)
        {
            text.Append(c, $", agent 0 RSS {rss.StartMiB:0} -> {rss.EndMiB:0} MiB");
        }

        Console.WriteLine(text.ToString());
        log.WriteLine(text.ToString());
        foreach (var violation in report.Violations)
        {
            log.WriteLine($"violation: {violation}");
        }

        foreach (var (id, reason) in report.Excused)
        {
            log.WriteLine($"no result, allowed: {id}: {reason}");
        }
    }

    private static string Join(IEnumerable<string> parts) => parts.Any() ? string.Join(", ", parts) : "none";
}
