using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors;
using EgressAgent.Infrastructure.Connectors.Sql;
using EgressAgent.Tests.Shared;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit.Abstractions;
using static EgressAgent.Infrastructure.Tests.Connectors.Sql.ConnectorCalls;

namespace EgressAgent.Infrastructure.Tests.Connectors.Sql;

/// <summary>
/// How much memory a million-row <c>fetchall</c> through a connection type's cursor costs
/// (cursor → execute → fetchall, the node then written to a file as the outbox writes a result),
/// against the rows' JSON size. Opt-in, one fact per process (memory a process once took stays in
/// its RSS):
/// <code>
/// dotnet build tests/EgressAgent.Infrastructure.Tests -c Release
/// for fact in Sqlite_plain Sqlite_tagged Postgres_tagged; do
///   EGRESS_MEASURE=1 DOTNET_gcServer=0 DOTNET_gcConcurrent=0 dotnet test tests/EgressAgent.Infrastructure.Tests -c Release --no-build \
///     --filter "FullyQualifiedName~ConnectorFetchallMemoryMeasurement.$fact" --logger "console;verbosity=detailed" | grep -E "growth|JSON"
/// done
/// </code>
/// (workstation, non-concurrent GC as the agent's host runs; Postgres_tagged needs EGRESS_TEST_POSTGRES.)
/// </summary>
[Trait("Category", "Measurement")]
public sealed class ConnectorFetchallMemoryMeasurement(ITestOutputHelper output) : IDisposable
{
    private const int Rows = 1_000_000;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"egress-measure-conn-{Guid.NewGuid():N}");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [MeasurementFact]
    public Task Sqlite_plain() => MeasureAsync(new SqliteConnectionType(), SqliteCredentials(), "select id, name, id * 3 from big");

    [MeasurementFact]
    public Task Sqlite_tagged() => MeasureAsync(new SqliteConnectionType(), SqliteCredentials(), "select id, name, amount, day from big");

    [MeasurementFact]
    public Task Postgres_tagged()
    {
        Directory.CreateDirectory(_directory);
        var builder = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString ?? throw new InvalidOperationException("EGRESS_TEST_POSTGRES is not set"));
        var credentials = new JsonObject
        {
            ["connect_args"] = new JsonObject { ["host"] = builder.Host, ["port"] = builder.Port, ["dbname"] = builder.Database, ["user"] = builder.Username, ["sslmode"] = "disable" },
        };
        return MeasureAsync(
            new PostgresConnectionType(),
            credentials,
            $"select g, 'crew member ' || g, (g * 1.25)::numeric(12,2), date '2020-01-01' + (g % 3650), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' from generate_series(1, {Rows}) g");
    }

    private async Task MeasureAsync(SqlConnectionType type, JsonObject credentials, string query)
    {
        var client = type.CreateClient(new ConnectionRequest(type.Names[0], credentials, ReadOnly: true));
        var session = await client.OpenSessionAsync(new SessionLimits(TimeSpan.FromMinutes(10)), CancellationToken.None);
        var cursor = await CursorAsync(session);
        var path = Path.Combine(_directory, "result.json");

        var baseline = ResetPeak();
        var managedBefore = GC.GetTotalMemory(forceFullCollection: false);
        await CallAsync(cursor, "execute", JsonValue.Create(query), null);
        var rows = (JsonNode)(await CallAsync(cursor, "fetchall"))!;
        var afterExecute = Memory.Read();
        var managedAfterExecute = GC.GetTotalMemory(forceFullCollection: false) - managedBefore;
        await using (var file = File.Create(path))
        await using (var writer = new Utf8JsonWriter(file))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("all_results");
            rows.WriteTo(writer);
            writer.WriteEndObject();
        }

        var afterStore = Memory.Read();
        var managedAfterStore = GC.GetTotalMemory(forceFullCollection: false) - managedBefore;
        GC.KeepAlive(rows);
        await session.DisposeAsync();
        await client.DisposeAsync();

        var size = new FileInfo(path).Length;
        output.WriteLine($"{type.Names[0]}: {query[..Math.Min(60, query.Length)]}…: {Rows:N0} rows, result JSON {Mib(size)}");
        output.WriteLine($"  execute + fetchall:         peak RSS growth {Growth(baseline, afterExecute, size)}, managed heap growth {Mib(managedAfterExecute)}");
        output.WriteLine($"  execute + fetchall + store: peak RSS growth {Growth(baseline, afterStore, size)}, managed heap growth {Mib(managedAfterStore)}");
        Assert.True(afterStore.PeakBytes - baseline.RssBytes <= 2 * size, $"grew {Growth(baseline, afterStore, size)}");
    }

    private JsonObject SqliteCredentials()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "big.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                create table big (id integer primary key, name text, amount DECIMAL(12,2), day DATE);
                with recursive c(n) as (select 1 union all select n + 1 from c where n < {Rows})
                insert into big select n, 'crew member ' || n, n * 1.25, date('2020-01-01', '+' || (n % 3650) || ' days') from c;
                """;
            command.ExecuteNonQuery();
        }

        return new JsonObject { ["connect_args"] = new JsonObject { ["database"] = path } };
    }

    private static string Growth(Memory baseline, Memory after, long size)
    {
        var growth = after.PeakBytes - baseline.RssBytes;
        return $"{Mib(growth)} = {(double)growth / size:0.00}x the JSON size";
    }

    private static Memory ResetPeak()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
        return Memory.Read();
    }

    private static string Mib(long bytes) => $"{bytes / 1024.0 / 1024.0:0.0} MiB";

    private readonly record struct Memory(long RssBytes, long PeakBytes)
    {
        public static Memory Read()
        {
            long rss = 0, peak = 0;
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kib(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kib(line);
                }
            }

            return new Memory(rss, peak);
        }

        private static long Kib(string line) =>
            1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
