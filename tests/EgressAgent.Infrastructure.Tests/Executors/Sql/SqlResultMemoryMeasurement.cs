using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Executors.Sql;
using EgressAgent.Infrastructure.Orchestrator;
using EgressAgent.Infrastructure.Outbox;
using EgressAgent.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Refit;
using Xunit.Abstractions;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>
/// How much memory a million-row result costs on its way from the database to the outbox file
/// (a worker's part) and from the file to the request body (the publisher's part), against the
/// result's JSON size; the requirement is growth of at most twice that size. Opt-in: it takes a
/// while, wants the machine to itself, and each fact must run in a process of its own (memory a
/// process once took stays in its RSS), so run them one by one:
/// <code>
/// dotnet build tests/EgressAgent.Infrastructure.Tests -c Release
/// for fact in Execute_and_store_plain Execute_and_store_tagged Load_and_publish_plain Load_and_publish_tagged; do
///   EGRESS_MEASURE=1 DOTNET_gcServer=0 DOTNET_gcConcurrent=0 dotnet test tests/EgressAgent.Infrastructure.Tests -c Release --no-build \
///     --filter "FullyQualifiedName~SqlResultMemoryMeasurement.$fact" --logger "console;verbosity=detailed" | grep -E "growth|JSON"
/// done
/// </code>
/// (workstation, non-concurrent GC as the agent's host runs.)
/// </summary>
[Trait("Category", "Measurement")]
public sealed class SqlResultMemoryMeasurement(ITestOutputHelper output) : IDisposable
{
    private const int Rows = 1_000_000;
    private const string Plain = "select id, name, id * 3 from big";
    private const string Tagged = "select id, name, amount, day from big";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"egress-measure-{Guid.NewGuid():N}");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [MeasurementFact]
    public Task Execute_and_store_plain() => ExecuteAndStoreAsync(Plain);

    [MeasurementFact]
    public Task Execute_and_store_tagged() => ExecuteAndStoreAsync(Tagged);

    [MeasurementFact]
    public Task Load_and_publish_plain() => LoadAndPublishAsync(Plain);

    [MeasurementFact]
    public Task Load_and_publish_tagged() => LoadAndPublishAsync(Tagged);

    /// <summary>As a worker: execute, then store the result; the payload lives until it is stored.</summary>
    private async Task ExecuteAndStoreAsync(string query)
    {
        var (options, outbox) = Setup();
        var executor = new SqlQueryExecutor(Options.Create(options.Connections), TimeProvider.System, NullLogger<SqlQueryExecutor>.Instance);
        var operation = new JsonObject { ["connection"] = "big", ["query"] = query, ["limit"] = Rows, ["timeout"] = 600 };

        var baseline = ResetPeak();
        var payload = await executor.ExecuteAsync(new OperationContext("op-big", "/api/v1/agent/execute/sql/query", "t", operation), CancellationToken.None);
        var afterExecute = Memory.Read();
        await outbox.AddAsync("op-big", OperationResult.Success(payload, "t"), CancellationToken.None);
        var afterStore = Memory.Read();
        GC.KeepAlive(payload);

        var size = StoredSize();
        output.WriteLine($"{query}: {Rows:N0} rows, result JSON {Mib(size)}");
        output.WriteLine($"  execute:         peak growth {Growth(baseline, afterExecute, size)}");
        output.WriteLine($"  execute + store: peak growth {Growth(baseline, afterStore, size)}");
        Assert.True(afterStore.PeakBytes - baseline.RssBytes <= 2 * size, $"execute + store grew {Growth(baseline, afterStore, size)}");
    }

    /// <summary>
    /// As the publisher: load the stored result and send it through the real adapter, Refit client
    /// and HttpClient to a handler that reads the request body the way a socket handler does.
    /// </summary>
    private async Task LoadAndPublishAsync(string query)
    {
        var (_, outbox) = Setup();
        await WriteStoredResultAsync(query);
        var entry = Assert.Single(outbox.ListPending());
        using var wire = new DrainingHandler();
        using var client = new HttpClient(wire) { BaseAddress = new Uri("http://orchestrator.test") };
        var api = new OrchestratorApiAdapter(RestService.For<IOrchestratorRestApi>(client), Options.Create(new EndpointTimeoutOptions()), TimeProvider.System, NullLogger<OrchestratorApiAdapter>.Instance);

        var baseline = ResetPeak();
        var stored = await outbox.LoadAsync(entry, CancellationToken.None);
        var outcome = await api.PublishResultAsync(stored!.OperationId, stored.Body, CancellationToken.None);
        var afterPublish = Memory.Read();

        var size = StoredSize();
        Assert.Equal(PublishStatus.Delivered, outcome.Status);
        Assert.Equal(size - "{\"operation_id\":\"op-big\",\"result\":}".Length + "{\"result\":}".Length, wire.BytesSent);
        output.WriteLine($"{query}: {Rows:N0} rows, result JSON {Mib(size)}");
        output.WriteLine($"  load + publish:  peak growth {Growth(baseline, afterPublish, size)}");
        Assert.True(afterPublish.PeakBytes - baseline.RssBytes <= 2 * size, $"load + publish grew {Growth(baseline, afterPublish, size)}");
    }

    private (AgentSections Options, FileResultOutbox Outbox) Setup()
    {
        var database = CreateDatabase();
        var options = new AgentSections();
        options.Storage.DataDirectory = _directory;
        options.Connections["big"] = new ConnectionOptions { Provider = "sqlite", ConnectionString = $"Data Source={database}" };
        return (options, new FileResultOutbox(Options.Create(options.Storage), TimeProvider.System, NullLogger<FileResultOutbox>.Instance));
    }

    /// <summary>The outbox file a worker would store, written row by row so that preparing it leaves no memory behind.</summary>
    private async Task WriteStoredResultAsync(string query)
    {
        var directory = Path.Combine(_directory, "outbox");
        var path = Path.Combine(directory, $"{DateTimeOffset.UtcNow.UtcTicks:D20}-{Guid.NewGuid():N}.result.json");
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "big.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = query;
        await using var reader = await command.ExecuteReaderAsync();
        var values = Enumerable.Range(0, reader.FieldCount).Select(i => SqliteValues.ReaderFor(reader.GetDataTypeName(i))).ToList();
        await using var file = File.Create(path);
        await using var writer = new Utf8JsonWriter(file);
        writer.WriteStartObject();
        writer.WriteString("operation_id", "op-big");
        writer.WriteStartObject("result");
        writer.WriteStartObject("__mcd_result__");
        writer.WriteStartArray("columns");
        for (var i = 0; i < reader.FieldCount; i++)
        {
            writer.WriteStartObject();
            writer.WriteString("name", reader.GetName(i));
            writer.WriteString("type", reader.GetDataTypeName(i));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("rows");
        while (await reader.ReadAsync())
        {
            writer.WriteStartArray();
            for (var i = 0; i < values.Count; i++)
            {
                WireValues.Write(writer, values[i](reader, i));
            }

            writer.WriteEndArray();
            if (writer.BytesPending > 64 * 1024)
            {
                await writer.FlushAsync();
            }
        }

        writer.WriteEndArray();
        writer.WriteNumber("row_count", Rows);
        writer.WriteBoolean("truncated", false);
        writer.WriteEndObject();
        writer.WriteString("__mcd_trace_id__", "t");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private long StoredSize() => new FileInfo(Directory.GetFiles(Path.Combine(_directory, "outbox"))[0]).Length;

    private static string Growth(Memory baseline, Memory after, long size)
    {
        var growth = after.PeakBytes - baseline.RssBytes;
        return $"{Mib(growth)} = {(double)growth / size:0.00}x the JSON size";
    }

    private string CreateDatabase()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "big.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            create table big (id integer primary key, name text, amount DECIMAL(12,2), day DATE);
            with recursive c(n) as (select 1 union all select n + 1 from c where n < {Rows})
            insert into big select n, 'crew member ' || n, n * 1.25, date('2020-01-01', '+' || (n % 3650) || ' days') from c;
            """;
        command.ExecuteNonQuery();
        return path;
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

/// <summary>Reads each request body as a socket handler sends it (no buffering) and answers 200.</summary>
internal sealed class DrainingHandler : HttpMessageHandler
{
    public long BytesSent { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var counter = new CountingStream();
        await request.Content!.CopyToAsync(counter, cancellationToken);
        Assert.Equal(request.Content.Headers.ContentLength, counter.Length);
        BytesSent = counter.Length;
        return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
    }

    private sealed class CountingStream : System.IO.Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
