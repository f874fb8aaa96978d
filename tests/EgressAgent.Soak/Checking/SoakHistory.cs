using EgressAgent.Emulator;

namespace EgressAgent.Soak.Checking;

/// <summary>
/// Everything a soak observed from outside the agents, the input of <see cref="InvariantChecker"/>.
/// Nothing in it depends on the agent's data-directory layout: the checker judges what crossed
/// the wire, what the processes printed and how they exited.
/// </summary>
internal sealed record SoakHistory
{
    /// <summary>Every operation queued, by id.</summary>
    public required IReadOnlyDictionary<string, OperationSpec> Operations { get; init; }

    /// <summary>Every hand-out, by E1 or as <c>next_operation</c>, in order.</summary>
    public required IReadOnlyList<HandedOutOperation> HandOuts { get; init; }

    /// <summary>Every result PUT, whatever it was answered.</summary>
    public required IReadOnlyList<ObservedResult> Results { get; init; }

    /// <summary>Every agent process the soak started.</summary>
    public required IReadOnlyList<LifeRecord> Lives { get; init; }

    public IReadOnlyList<DataDirectoryRemoval> Removals { get; init; } = [];

    /// <summary>Operation ids of results whose E2 exchange a proxy cut after forwarding it (the orchestrator answered; the agent may not have read the answer).</summary>
    public IReadOnlySet<string> CutResultAnswers { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public IReadOnlyList<SecretFinding> Secrets { get; init; } = [];

    public IReadOnlyList<MemoryReading> Memory { get; init; } = [];

    /// <summary>Operations still waiting in the orchestrator's queue after the drain.</summary>
    public int QueuedAtEnd { get; init; }

    /// <summary>Per slot, results its last process still held in its outbox after the drain (its <c>egress_outbox_pending</c>); -1 when unknown.</summary>
    public IReadOnlyDictionary<int, int> OutboxPendingAtEnd { get; init; } = new Dictionary<int, int>();
}
