namespace EgressAgent.Tests.Shared;

/// <summary>
/// A fact that needs a real MariaDB (or MySQL) server: <c>.ci/run</c> starts one and sets
/// <c>EGRESS_TEST_MARIADB</c> to the MySqlConnector connection string of an ordinary user that may
/// only read database <c>egress_test</c>, and <c>EGRESS_TEST_MARIADB_ADMIN</c> to an admin's, with
/// which the fixtures create and drop their tables, databases and users. Without both the test is
/// skipped with the reason, except under <c>CI=true</c>: there it runs and fails (a CI whose
/// server did not start must not pass by skipping), never faked.
/// </summary>
public sealed class MariaDbFactAttribute : FactAttribute
{
    public const string Variable = "EGRESS_TEST_MARIADB";
    public const string AdminVariable = "EGRESS_TEST_MARIADB_ADMIN";

    public MariaDbFactAttribute()
    {
        if (!Available && !InCi)
        {
            Skip = SkipReason;
        }
    }

    internal const string SkipReason = $"{Variable} and {AdminVariable} are not both set: no MariaDB server to test against (.ci/run starts one and sets them).";

    /// <summary>The read-only user's connection string: what the agent is configured with. Throws when unset (a test under CI=true then fails).</summary>
    public static string ConnectionString => Read(Variable);

    /// <summary>The admin's connection string, for fixtures only. Throws when unset.</summary>
    public static string AdminConnectionString => Read(AdminVariable);

    /// <summary>True when both connection strings are set.</summary>
    public static bool Available =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)) && !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(AdminVariable));

    /// <summary>True under CI=true, where a missing server fails the test instead of skipping it.</summary>
    internal static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.Ordinal);

    private static string Read(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: CI=true needs the MariaDB server .ci/run starts, and it did not start.");
}
