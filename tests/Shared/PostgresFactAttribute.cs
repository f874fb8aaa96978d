namespace EgressAgent.Tests.Shared;

/// <summary>
/// A fact that needs a real PostgreSQL server: <c>.ci/run</c> starts one and sets
/// <c>EGRESS_TEST_POSTGRES</c> to its connection string. Without it the test is skipped, with
/// the reason, never faked.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "EGRESS_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            Skip = $"{Variable} is not set: no PostgreSQL server to test against (.ci/run starts one and sets it).";
        }
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);
}
