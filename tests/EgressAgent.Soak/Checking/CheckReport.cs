namespace EgressAgent.Soak.Checking;

/// <summary>What <see cref="InvariantChecker"/> found: the violations, and how often each allowed outcome of the contract was used.</summary>
/// <param name="Violations">What broke an invariant.</param>
/// <param name="Excused">Each operation that ended without a result as the contract allows (or process that ended as it allows), with the reason.</param>
/// <param name="HandedOut">Operations handed out.</param>
/// <param name="Delivered">Operations with an accepted result.</param>
/// <param name="Redeliveries">Identical bodies delivered again (E2 is idempotent).</param>
internal sealed record CheckReport(
    IReadOnlyList<Violation> Violations,
    IReadOnlyList<(string Subject, string Reason)> Excused,
    int HandedOut,
    int Delivered,
    int Redeliveries)
{
    /// <summary>How often each allowed outcome was used.</summary>
    public IReadOnlyDictionary<string, int> AllowedOutcomes =>
        Excused.GroupBy(e => e.Reason, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public bool Passed => Violations.Count == 0;
}
