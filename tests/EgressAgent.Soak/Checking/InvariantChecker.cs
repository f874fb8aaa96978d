using System.Globalization;
using EgressAgent.Emulator;

namespace EgressAgent.Soak.Checking;

/// <summary>
/// Judges a <see cref="SoakHistory"/> against the contract (docs/protocol.md). Each allowed outcome
/// below is one the contract names; anything else that happened to an operation is a violation.
/// </summary>
internal static class InvariantChecker
{
    /// <summary>A SIGKILL seen as an exit code: 128 + 9.</summary>
    private const int KilledExitCode = 137;

    /// <summary>A SIGTERM that ended the process by its default action: 128 + 15.</summary>
    private const int TerminatedExitCode = 143;

    public static CheckReport Check(SoakHistory history, SoakLimits limits)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(limits);
        var violations = new List<Violation>();
        var excused = new List<(string Subject, string Reason)>();
        var lives = history.Lives.Where(l => l.InstanceId is not null).ToDictionary(l => l.InstanceId!, StringComparer.Ordinal);
        var handedOut = history.HandOuts.Select(h => h.OperationId).ToHashSet(StringComparer.Ordinal);
        var accepted = history.Results.Where(r => r.Accepted).ToLookup(r => r.OperationId, StringComparer.Ordinal);

        // §5.3: a result answers an operation the agent was given; one for anything else was invented or misrouted.
        foreach (var stray in history.Results.Where(r => !handedOut.Contains(r.OperationId)).Select(r => r.OperationId).Distinct(StringComparer.Ordinal))
        {
            violations.Add(new("result for an operation never handed out (§5.3)", stray));
        }

        var delivered = 0;
        var redeliveries = 0;
        foreach (var handOut in history.HandOuts)
        {
            var id = handOut.OperationId;
            var spec = history.Operations.GetValueOrDefault(id);
            var results = accepted[id].ToList();
            if (spec is { ReachesAWorker: false })
            {
                // §5.1: an envelope without operation_id or path is logged and skipped; it never reaches a worker.
                if (history.Results.Any(r => r.OperationId == id))
                {
                    violations.Add(new("result for an envelope that never reaches a worker (§5.1)", id));
                }

                continue;
            }

            if (results.Count == 0)
            {
                if (Excuse(handOut, lives, history) is { } reason)
                {
                    excused.Add((id, reason));
                }
                else
                {
                    violations.Add(new("handed out and never answered (§5.3, §6.4)", $"{id} ({spec?.Kind ?? "?"}) {Describe(handOut, lives)}"));
                }

                continue;
            }

            delivered++;
            redeliveries += results.Count - 1;

            // §3 E2 is idempotent for the same operation id and the same body: a retry after a lost
            // answer, or a stored result sent again by the next process after a kill, is allowed.
            // Two different bodies for one operation means it ran twice or a result was corrupted.
            if (results.Select(r => r.BodyHash).Distinct(StringComparer.Ordinal).Count() > 1)
            {
                violations.Add(new("delivered more than once with different bodies (§3 E2, §5.3)", $"{id}: {results.Count} deliveries"));
            }

            // §5.1: the trace id is the operation's; a result carrying another belongs to another operation.
            if (spec?.TraceId is { } trace && results.FirstOrDefault(r => r.TraceId != trace) is { } wrong)
            {
                violations.Add(new("result with another operation's trace id (§5.1, §5.3)", $"{id}: expected {trace}, got {wrong.TraceId ?? "none"}"));
            }
        }

        CheckLives(history, limits, violations, excused);
        violations.AddRange(history.Secrets.Select(s => new Violation("secret in output (§2, §9, §12.1)", $"{s.SecretName} in {s.Where}")));
        foreach (var memory in history.Memory.Where(m => m.EndMiB > limits.MemoryBoundMiB(m.StartMiB)))
        {
            violations.Add(new("memory not flat", string.Create(CultureInfo.InvariantCulture, $"agent {memory.Slot}: RSS {memory.StartMiB:0.0} MiB after warm-up, {memory.EndMiB:0.0} MiB at the end (bound {limits.MemoryBoundMiB(memory.StartMiB):0.0} MiB)")));
        }

        if (history.QueuedAtEnd > 0)
        {
            // §6.1: the poller fetches until 204; after the drain nothing may be left waiting.
            violations.Add(new("work left unfetched after the drain (§6.1)", $"{history.QueuedAtEnd} operation(s) still queued"));
        }

        foreach (var (slot, pending) in history.OutboxPendingAtEnd.Where(p => p.Value != 0).OrderBy(p => p.Key))
        {
            violations.Add(new("results left undelivered after the drain (§6.4)", pending < 0 ? $"agent {slot}: outbox_pending unknown" : $"agent {slot}: {pending} result(s) still in its outbox"));
        }

        return new CheckReport(violations, excused, history.HandOuts.Count, delivered, redeliveries);
    }

    /// <summary>The contract's reason why <paramref name="handOut"/> may end without a result, or null when none applies.</summary>
    private static string? Excuse(HandedOutOperation handOut, Dictionary<string, LifeRecord> lives, SoakHistory history)
    {
        // §3 E2: a 2xx answer whose body the agent never read loses the next_operation in it; the
        // orchestrator, which handed it out, requeues it (it never reached the agent).
        if (handOut.CarriedBy is { } carrier && history.CutResultAnswers.Contains(carrier))
        {
            return "next_operation in an E2 answer the network cut (§3 E2)";
        }

        if (handOut.InstanceId is null || !lives.TryGetValue(handOut.InstanceId, out var life))
        {
            return null;
        }

        // §6.4: kill -9 loses no *completed* result; one still running (or not yet stored) dies with the process.
        if (life.End == LifeEnd.Killed)
        {
            return "running when its process was killed (§6.4)";
        }

        // §7.3: goodbye cancels at once, SIGTERM at the end of the budget; cancelled operations get
        // no result and the orchestrator requeues them after E4.
        if (life.End is LifeEnd.Goodbye or LifeEnd.Sigterm && life.SentShutdownNotice)
        {
            return $"cancelled by {(life.End == LifeEnd.Goodbye ? "goodbye" : "SIGTERM")}, requeued after E4 (§7.3)";
        }

        // §6.4 keeps results in Storage:DataDirectory; an operator who removes it removes them.
        if (history.Removals.Any(r => r.Slot == life.Slot && handOut.At <= r.Done))
        {
            return "its result went with the removed data directory (§6.4)";
        }

        return null;
    }

    private static void CheckLives(SoakHistory history, SoakLimits limits, List<Violation> violations, List<(string, string)> excused)
    {
        foreach (var life in history.Lives)
        {
            var who = $"agent {life.Slot} pid {life.Pid}";

            // A signal that comes before the runtime has reached run's first line, where the agent
            // takes the signals (docs/adr/0054), meets the default action (the process ends, 143). It had not said a word to the
            // orchestrator, so nothing was handed to it and there is nothing to notify (§7.4).
            if (life.End is LifeEnd.Sigterm or LifeEnd.FinalStop && life.ExitCode == TerminatedExitCode && !life.SpokeToOrchestrator)
            {
                excused.Add((who, "SIGTERM before it sent any request: ended by the signal (143)"));
                continue;
            }

            var expected = life.End switch
            {
                LifeEnd.Killed => KilledExitCode,
                LifeEnd.Sigterm or LifeEnd.Goodbye or LifeEnd.FinalStop => 0, // §8: 0 after a graceful shutdown
                _ => (int?)null,
            };
            if (life.End == LifeEnd.OnItsOwn)
            {
                violations.Add(new("exited without being asked (§8)", $"{who} exited {life.ExitCode}"));
            }
            else if (life.End == LifeEnd.Running)
            {
                violations.Add(new("still running at the end", who));
            }
            else if (life.ExitCode != expected)
            {
                violations.Add(new("unexpected exit code (§8)", $"{who} ended by {life.End} exited {life.ExitCode}, expected {expected}"));
            }

            if (life.End is LifeEnd.Sigterm or LifeEnd.FinalStop && life.StopSeconds > limits.StopBoundSeconds)
            {
                violations.Add(new("shutdown longer than the budget + 2 s (§7.6)", string.Create(CultureInfo.InvariantCulture, $"{who}: {life.StopSeconds:0.00} s after SIGTERM (bound {limits.StopBoundSeconds:0.0} s)")));
            }

            if (life.End is LifeEnd.Sigterm or LifeEnd.Goodbye or LifeEnd.FinalStop && !life.SentShutdownNotice)
            {
                violations.Add(new("graceful shutdown without E4 (§7.4)", $"{who} ended by {life.End}"));
            }
        }
    }

    private static string Describe(HandedOutOperation handOut, Dictionary<string, LifeRecord> lives) =>
        handOut.InstanceId is { } instance && lives.TryGetValue(instance, out var life)
            ? $"handed to agent {life.Slot} pid {life.Pid} (ended: {life.End}){(handOut.CarriedBy is { } c ? $" in the answer to {c}" : "")}"
            : $"handed to unknown instance {handOut.InstanceId ?? "(none)"}";
}
