using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// Reads an outbox directory from outside, as an operator would: the operation ids of the results
/// stored and not yet delivered, from every layout: the rows of <c>results.db</c> (docs/adr/0045), the
/// records of each <c>*.segment</c> whose offsets its <c>.acks</c> does not name, and each
/// <c>*.result.json</c> (docs/adr/0032). A stored result that is not whole JSON throws, so a test that reads it fails.
/// </summary>
internal static class StoredResults
{
    /// <summary>Deeper than any result the agent writes (its JSON writer stops at 1,000): stored results are read back whatever their depth.</summary>
    private static readonly JsonDocumentOptions AnyDepth = new() { MaxDepth = 100_000 };

    /// <summary>The store the agents under test use: <c>EgressAgent__Results__Store</c> of the test run, passed on to them (docs/adr/0045).</summary>
    public static string Store { get; } = Environment.GetEnvironmentVariable("EgressAgent__Results__Store") is { Length: > 0 } store ? store : "segments";

    public static bool IsSegmentStore => Store == "segments";

    /// <summary>
    /// Nothing pending, and nothing on disk but the empty database itself: what a graceful stop leaves
    /// once everything is delivered; <paramref name="whileOpen"/>: and the WAL files of an agent that has it open.
    /// </summary>
    public static void AssertEmpty(string outbox, bool whileOpen = false)
    {
        string[] allowed = whileOpen ? [Database, Database + "-wal", Database + "-shm"] : [Database];

        // Listed before the database is read: opening it makes its WAL files for the while.
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(outbox), path => !allowed.Contains(Path.GetFileName(path)));
        Assert.Empty(Pending(outbox));
    }

    private const string Database = "results.db";

    public static List<string> OperationIds(string outbox) => [.. Pending(outbox).Select(r => r.OperationId)];

    /// <summary>Each stored result not yet acknowledged: its operation id and its result's JSON text exactly as stored.</summary>
    public static List<(string OperationId, string Result)> Pending(string outbox)
    {
        var ids = new List<(string OperationId, string Result)>();
        foreach (var segment in Directory.GetFiles(outbox, "*.segment"))
        {
            var acks = File.Exists(segment + ".acks")
                ? File.ReadAllLines(segment + ".acks").Where(l => l.Length > 0).Select(l => long.Parse(l, CultureInfo.InvariantCulture)).ToHashSet()
                : [];
            var bytes = File.ReadAllBytes(segment);
            for (var start = 0; start < bytes.Length;)
            {
                var end = Array.IndexOf(bytes, (byte)'\n', start);
                Assert.True(end >= 0, $"{segment} ends in an incomplete record at {start}");
                if (!acks.Contains(start))
                {
                    ids.Add(OperationIdOf(Encoding.UTF8.GetString(bytes, start, end - start)));
                }

                start = end + 1;
            }
        }

        ids.AddRange(Directory.GetFiles(outbox, "*.result.json").Select(f => OperationIdOf(File.ReadAllText(f))));
        if (File.Exists(Path.Combine(outbox, Database)))
        {
            // Read-write although it only reads: the last connection to close removes the WAL files
            // only if it may write, and a test may be the last.
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(outbox, Database), Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT operation_id, CAST(result AS TEXT) FROM results ORDER BY id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var result = reader.GetString(1);
                using var document = JsonDocument.Parse(result, AnyDepth); // throws when not whole JSON
                ids.Add((reader.GetString(0), result));
            }
        }

        return ids;
    }

    private static (string OperationId, string Result) OperationIdOf(string json)
    {
        using var document = JsonDocument.Parse(json, AnyDepth);
        var root = document.RootElement;
        return (root.GetProperty("operation_id").GetString()!, root.GetProperty("result").GetRawText());
    }
}
