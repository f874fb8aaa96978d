namespace EgressAgent.Soak.Checking;

/// <summary>One broken invariant: which, and the evidence.</summary>
internal sealed record Violation(string Invariant, string Detail)
{
    public override string ToString() => $"{Invariant}: {Detail}";
}
