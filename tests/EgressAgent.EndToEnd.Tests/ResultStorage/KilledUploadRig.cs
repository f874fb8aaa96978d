using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// What the kill -9 tests of docs/protocol.md §13 share: a SQLite query whose result is about
/// 12 MiB (three 5 MiB parts of a multipart upload), a bucket of its own behind a
/// <see cref="FaultProxy"/>, the emulator, and one data directory for the process that is killed
/// and the one after it; then the checks on what the next process publishes: exactly one accepted
/// location, for a complete object whose rows are the query's, and nothing left in the outbox.
/// </summary>
internal sealed class KilledUploadRig : IAsyncDisposable
{
    public const string TraceId = "t-killed";
    public const int PartSize = 5 * 1024 * 1024;
    private const int Rows = 12_000;
    private const int FillerLength = 1000;

    /// <summary>About 1 KiB a row, each row telling its number: 12,000 of them are three parts.</summary>
    private static readonly string Query = string.Create(
        CultureInfo.InvariantCulture,
        $"with recursive c(x) as (select 1 union all select x + 1 from c where x < {Rows}) select x as id, printf('%08d', x) || hex(zeroblob({FillerLength / 2})) as filler from c");

    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _files;
    private readonly string _database;
    private readonly List<string> _killedLines = [];

    private KilledUploadRig(ITestOutputHelper output, TempDirectory files, string database, TestBucket bucket, FaultProxy store, OrchestratorEmulator emulator)
    {
        _output = output;
        _files = files;
        _database = database;
        Bucket = bucket;
        Store = store;
        Emulator = emulator;
    }

    public static TimeSpan Bound { get; } = TimeSpan.FromSeconds(120);

    public TestBucket Bucket { get; }

    /// <summary>s3rver as the agent reaches it: every request recorded, faults set by the test.</summary>
    public FaultProxy Store { get; }

    public OrchestratorEmulator Emulator { get; }

    public TempDirectory Data { get; } = new();

    public string Outbox => Path.Combine(Data.Path, "outbox");

    public static async Task<KilledUploadRig> StartAsync(ITestOutputHelper output)
    {
        var bucket = await TestBucket.CreateAsync();
        var files = new TempDirectory();
        var store = FaultProxy.Start(TestBucket.Endpoint, output);
        var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        return new KilledUploadRig(output, files, CreateDatabase(files), bucket, store, emulator);
    }

    public static bool IsInitiate(ProxiedRequest request) => request.Method == "POST" && request.Query == "?uploads";

    /// <summary>An agent on the rig's data directory, its store the proxy, its part size 5 MiB.</summary>
    public AgentProcess StartAgent() => AgentProcess.Start(Emulator, Data, _output, settings =>
    {
        Bucket.Configure(settings, Store.BaseUrl);
        settings.Set("Results:Storage:PartSize", PartSize.ToString(CultureInfo.InvariantCulture))
            .Set("Connections:big:Provider", "sqlite")
            .Set("Connections:big:ConnectionString", $"Data Source={_database}");
    });

    /// <summary>Once the first agent listens for events: the query enqueued and announced. Returns its operation id.</summary>
    public async Task<string> EnqueueQueryAsync()
    {
        await Emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        var operation = Emulator.Enqueue("/api/v1/agent/execute/sql/query", new JsonObject
        {
            ["trace_id"] = TraceId,
            ["connection"] = "big",
            ["query"] = Query,
            ["limit"] = Rows,
            ["timeout"] = 60,
            ["response_size_limit_bytes"] = 1_000_000,
        });
        Emulator.SendEvent(new { type = "work_available" });
        return operation;
    }

    /// <summary>kill -9; what it said is kept for the secrets check.</summary>
    public async Task KillAsync(AgentProcess agent)
    {
        agent.KillHard();
        await agent.WaitForExitAsync(Bound);
        _killedLines.AddRange(agent.Lines);
    }

    /// <summary>The location the next process publishes, once accepted: its object read back through it, whole and the query's.</summary>
    public async Task<Uri> FetchPublishedAsync(string operation)
    {
        var published = await Emulator.WaitForAcceptedResultAsync(operation, Bound);
        var location = Bucket.LocationOf(published.Result!, TraceId, _output);
        using var client = new HttpClient();
        var fetched = await client.GetByteArrayAsync(location);
        Assert.Equal(await Bucket.ReadAsync(TraceId), fetched);
        AssertRowsOfTheQuery(fetched);
        return location;
    }

    /// <summary>The next process says goodbye: one accepted location, the outbox empty, no secret anywhere.</summary>
    public async Task EndAsync(string operation, AgentProcess next)
    {
        Assert.Equal(0, await Emulator.SayGoodbyeAsync(next, Bound));
        Assert.Single(Emulator.Results, r => r.OperationId == operation && r.Accepted);
        Assert.Empty(StoredResults.OperationIds(Outbox));
        StorageSecrets.AssertNowhere(Bucket.Secrets, [.. _killedLines, .. next.Lines], Emulator.Results, Data.Path);
    }

    /// <summary>The whole result object, every row the query made, in order: nothing cut, nothing doubled.</summary>
    public static void AssertRowsOfTheQuery(byte[] fetched)
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

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        await Store.DisposeAsync();
        Data.Dispose();
        _files.Dispose();
    }

    private static string CreateDatabase(TempDirectory files)
    {
        var database = Path.Combine(files.Path, "big.db");
        using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "create table placeholder (x integer)"; // a database file; the rows come from the query
        command.ExecuteNonQuery();
        return database;
    }
}
