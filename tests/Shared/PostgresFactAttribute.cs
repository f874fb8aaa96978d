namespace EgressAgent.Tests.Shared;

/// <summary>
/// A fact that needs a real PostgreSQL server: <c>.ci/run</c> starts one and sets
/// <c>EGRESS_TEST_POSTGRES</c> to the connection string of an ordinary login role (the agent
/// refuses superusers) and <c>EGRESS_TEST_POSTGRES_ADMIN</c> to a superuser's, with which the
/// fixtures create and drop their tables and roles. Without both the test is skipped, with the
/// reason, never faked — except under <c>CI=true</c>, where a missing server fails the test.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "EGRESS_TEST_POSTGRES";
    public const string AdminVariable = "EGRESS_TEST_POSTGRES_ADMIN";

    public PostgresFactAttribute()
    {
        if (!Available && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{Variable} and {AdminVariable} are not both set: no PostgreSQL server to test against (.ci/run starts one and sets them).";
        }
    }

    /// <summary>An ordinary login role's connection string: what the agent is configured with.</summary>
    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);

    /// <summary>A superuser's connection string, for fixtures only.</summary>
    public static string? AdminConnectionString => Environment.GetEnvironmentVariable(AdminVariable);

    /// <summary>True when both connection strings are set.</summary>
    public static bool Available => !string.IsNullOrWhiteSpace(ConnectionString) && !string.IsNullOrWhiteSpace(AdminConnectionString);
}
