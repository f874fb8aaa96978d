namespace EgressAgent.Tests.Shared;

/// <summary>
/// A fact that needs a real ClickHouse server over HTTP: <c>EGRESS_TEST_CLICKHOUSE</c> is the URL
/// of an ordinary user that may only read database <c>egress_test</c>
/// (<c>http://reader:password@127.0.0.1:18123/egress_test</c>), and <c>EGRESS_TEST_CLICKHOUSE_ADMIN</c>
/// an admin's, with which the fixtures create and drop their tables. Without both the test is
/// skipped with the reason, <b>also under <c>CI=true</c></b>, unlike the PostgreSQL and MariaDB
/// facts: <c>.ci/run</c> starts no ClickHouse, because the only packaged server here (Debian's
/// clickhouse-server 18.16) cannot serve ClickHouse.Driver 1.5.0 (docs/adr/0039). When CI gets a
/// server the driver supports, <c>.ci/run</c> starts it and this attribute fails under CI=true
/// without one, as the others do.
/// </summary>
public sealed class ClickHouseFactAttribute : FactAttribute
{
    public const string Variable = "EGRESS_TEST_CLICKHOUSE";
    public const string AdminVariable = "EGRESS_TEST_CLICKHOUSE_ADMIN";

    public ClickHouseFactAttribute()
    {
        if (!Available)
        {
            Skip = SkipReason;
        }
    }

    internal const string SkipReason = $"{Variable} and {AdminVariable} are not both set: no ClickHouse server to test against (docs/adr/0039).";

    /// <summary>The reader's URL: what the agent is configured with. Throws when unset (a test under CI=true then fails).</summary>
    public static Uri Url => new(Read(Variable));

    /// <summary>The admin's URL, for fixtures only. Throws when unset.</summary>
    public static Uri AdminUrl => new(Read(AdminVariable));

    /// <summary>True when both URLs are set.</summary>
    public static bool Available =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)) && !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(AdminVariable));

    private static string Read(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: no ClickHouse server to test against.");
}
