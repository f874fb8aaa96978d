namespace EgressAgent.Tests.Shared;

/// <summary>A theory that needs a real PostgreSQL server; skipped like <see cref="PostgresFactAttribute"/> without one.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (!PostgresFactAttribute.Available && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{PostgresFactAttribute.Variable} and {PostgresFactAttribute.AdminVariable} are not both set: no PostgreSQL server to test against (.ci/run starts one and sets them).";
        }
    }
}
