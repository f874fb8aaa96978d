namespace EgressAgent.Soak.Checking;

/// <summary>The numeric bounds the checker holds the agents to.</summary>
/// <param name="ShutdownBudgetSeconds">The agents' <c>Shutdown:Budget</c>.</param>
internal sealed record SoakLimits(double ShutdownBudgetSeconds)
{
    /// <summary>
    /// How much later than the contract's budget + 2 s (§7.6) an exit may be seen: the exit is read
    /// from <c>/proc</c> every 5 ms (ExitWatch), so this covers the signal's delivery and that poll
    /// on a loaded machine, nothing of the agent's own work.
    /// </summary>
    public const double ObserverSlackSeconds = 1.0;

    /// <summary>
    /// RSS may grow by at most this much, plus <see cref="MemoryGrowthFraction"/> of the warm
    /// figure, between warm-up and the end. A leak of one 1 KiB object per operation over a
    /// 30-minute soak (~10,000 operations per agent) is 10 MiB and shows; the GC's own swing
    /// (a gen0 budget and the outbox's cache filled by a backlog after an outage, docs/adr/0033)
    /// stays within it.
    /// </summary>
    public const double MemoryGrowthMiB = 24;

    /// <inheritdoc cref="MemoryGrowthMiB"/>
    public const double MemoryGrowthFraction = 0.25;

    public double StopBoundSeconds => ShutdownBudgetSeconds + 2 + ObserverSlackSeconds;

    public double MemoryBoundMiB(double startMiB) => startMiB + MemoryGrowthMiB + (startMiB * MemoryGrowthFraction);
}
