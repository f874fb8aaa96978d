namespace EgressAgent.Application.Health;

/// <summary>A step of <paramref name="Loop"/> open for <paramref name="WorkingFor"/>, past its <paramref name="Bound"/>.</summary>
public sealed record StuckLoop(string Loop, TimeSpan WorkingFor, TimeSpan Bound)
{
    public override string ToString() =>
        $"{Loop}: one step working for {WorkingFor.TotalSeconds:0} s, bound {Bound.TotalSeconds:0} s";
}
