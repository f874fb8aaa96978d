using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Tests.Shared;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// docs/protocol.md §13 "kill -9 at any moment loses nothing", at the worst moment for an upload:
/// a SQLite result of about 12 MiB goes up as a multipart upload of 5 MiB parts, and the agent is
/// killed while its second part is held by a <see cref="FaultProxy"/> in front of s3rver. A second
/// agent on the same data directory uploads it again (same key) and publishes exactly one location,
/// for a complete object whose rows are the query's.
/// <para>
/// The killed process's unfinished upload: before a multipart upload the agent lists the
/// unfinished uploads of exactly that key and aborts them. s3rver 3.7.1 implements neither
/// ListMultipartUploads (501 NotImplemented) nor AbortMultipartUpload (405), so it cannot show
/// the leftover gone: this test shows the listing asked for before the new upload and its failure
/// not stopping the upload; the abort itself is proven against a mock of the SDK's client
/// (<c>S3LeftoverUploadsTests</c> in the Infrastructure tests).
/// </para>
/// </summary>
public sealed class KilledUploadTests(ITestOutputHelper output) : IDisposable
{
    private const string TraceId = "t-killed";
    private const int PartSize = 5 * 1024 * 1024;
    private const int Rows = 12_000;
    private const int FillerLength = 1000;

    /// <summary>About 1 KiB a row, each row telling its number: 12,000 of them are three parts.</summary>
    private static readonly string Query = string.Create(
        CultureInfo.InvariantCulture,
        $"with recursive c(x) as (select 1 union all select x + 1 from c where x < {Rows}) select x as id, printf('%08d', x) || hex(zeroblob({FillerLength / 2})) as filler from c");

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [S3CompatibleFact]
    public async Task A_multipart_upload_cut_by_kill_9_is_uploaded_again_by_the_next_process_and_its_location_published_once()
    {
        var bucket = await TestBucket.CreateAsync();
        var database = CreateDatabase();
        await using var store = FaultProxy.Start(TestBucket.Endpoint, output);

        // The second part never reaches s3rver while this rule stands: the first is stored, the
        // upload unfinished, and the agent busy sending when it is killed.
        var never = new TaskCompletionSource();
        var held = store.When(r => r.Method == "PUT" && r.Query.Contains("partNumber=2&", StringComparison.Ordinal), ProxyFault.HoldUntil(never.Task), name: "part 2 held");
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        void Configure(AgentSettings settings)
        {
            bucket.Configure(settings, store.BaseUrl);
            settings.Set("Results:Storage:PartSize", PartSize.ToString(CultureInfo.InvariantCulture))
                .Set("Connections:big:Provider", "sqlite")
                .Set("Connections:big:ConnectionString", $"Data Source={database}");
        }

        string operation;
        var lines = new List<string>();
        await using (var first = AgentProcess.Start(emulator, data, output, Configure))
        {
            await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
            operation = emulator.Enqueue("/api/v1/agent/execute/sql/query", new JsonObject
            {
                ["trace_id"] = TraceId,
                ["connection"] = "big",
                ["query"] = Query,
                ["limit"] = Rows,
                ["timeout"] = 60,
                ["response_size_limit_bytes"] = 1_000_000,
            });
            emulator.SendEvent(new { type = "work_available" });
            await held.WaitForMatchesAsync(1, Bound);
            first.KillHard();
            await first.WaitForExitAsync(Bound);
            lines.AddRange(first.Lines);
        }

        Assert.DoesNotContain(emulator.Results, r => r.OperationId == operation);
        Assert.Contains(operation, StoredResults.OperationIds(outbox)); // the kill lost nothing
        Assert.Equal(1, store.Count(IsInitiate));
        Assert.Equal(1, store.Count(r => r.Method == "PUT" && r.Query.Contains("partNumber=1&", StringComparison.Ordinal)));
        if (bucket.UnfinishedUploads(TraceId) is { } cut)
        {
            // s3rver's disk, when the test can see it: an upload begun, its first part stored, never completed.
            Assert.Contains(cut, u => u.Parts == 1);
        }

        held.Remove();
        await using var second = AgentProcess.Start(emulator, data, output, Configure);
        var published = await emulator.WaitForAcceptedResultAsync(operation, Bound);
        var location = bucket.LocationOf(published.Result!, TraceId, output);
        using var client = new HttpClient();
        var fetched = await client.GetByteArrayAsync(location);
        Assert.Equal(await bucket.ReadAsync(TraceId), fetched);
        AssertRowsOfTheQuery(fetched);

        // The second process asked for the unfinished uploads of exactly this key before it began
        // its own, and went on when s3rver could not list them.
        var steps = store.Requests.Where(r => IsListing(r) || IsInitiate(r)).Select(r => IsListing(r) ? "list" : "initiate").ToList();
        Assert.Equal(["list", "initiate", "list", "initiate"], steps);
        var listing = store.Requests.Last(IsListing);
        Assert.Equal($"/{bucket.Name}", listing.Path.TrimEnd('/'));
        Assert.Contains("prefix=" + Uri.EscapeDataString(TestBucket.KeyOf(TraceId)), listing.Query, StringComparison.Ordinal);
        await second.WaitForLineAsync(l => l.Contains("could not be listed", StringComparison.Ordinal), Bound);

        Assert.Equal(0, await emulator.SayGoodbyeAsync(second, Bound));
        var only = Assert.Single(emulator.Results, r => r.OperationId == operation);
        Assert.True(only.Accepted);
        Assert.Empty(StoredResults.OperationIds(outbox));
        StorageSecrets.AssertNowhere(bucket.Secrets, [.. lines, .. second.Lines], emulator.Results, data.Path);
    }

    private static bool IsInitiate(ProxiedRequest request) => request.Method == "POST" && request.Query == "?uploads";

    private static bool IsListing(ProxiedRequest request) => request.Method == "GET" && request.Query.Contains("uploads", StringComparison.Ordinal);

    /// <summary>The whole result object, every row the query made, in order: nothing cut, nothing doubled.</summary>
    private static void AssertRowsOfTheQuery(byte[] fetched)
    {
        Assert.True(fetched.Length > 2 * PartSize, $"{fetched.Length} bytes: not a three-part upload");
        var body = JsonNode.Parse(fetched)!.AsObject();
        Assert.Equal(TraceId, body["__mcd_trace_id__"]!.GetValue<string>());
        var result = body["__mcd_result__"]!;
        Assert.Equal(Rows, result["row_count"]!.GetValue<int>());
        Assert.False(result["truncated"]!.GetValue<bool>());
        var rows = result["rows"]!.AsArray();
        Assert.Equal(Rows, rows.Count);
        var zeros = new string('0', FillerLength);
        for (var i = 0; i < Rows; i++)
        {
            var number = i + 1;
            var row = rows[i]!.AsArray();
            Assert.Equal(number, row[0]!.GetValue<int>());
            Assert.Equal(number.ToString("D8", CultureInfo.InvariantCulture) + zeros, row[1]!.GetValue<string>());
        }
    }

    private string CreateDatabase()
    {
        var database = Path.Combine(_files.Path, "big.db");
        using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "create table placeholder (x integer)"; // a database file; the rows come from the query
        command.ExecuteNonQuery();
        return database;
    }
}
