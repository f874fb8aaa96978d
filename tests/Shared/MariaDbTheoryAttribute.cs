namespace EgressAgent.Tests.Shared;

/// <summary>A theory that needs a real MariaDB server; skipped (or, under CI=true, failed) like <see cref="MariaDbFactAttribute"/> without one.</summary>
public sealed class MariaDbTheoryAttribute : TheoryAttribute
{
    public MariaDbTheoryAttribute()
    {
        if (!MariaDbFactAttribute.Available && !MariaDbFactAttribute.InCi)
        {
            Skip = MariaDbFactAttribute.SkipReason;
        }
    }
}
