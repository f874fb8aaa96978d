using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.EndToEnd;

/// <summary>
/// Contract §11, structured logs: <c>Logging:Console:FormatterName=json</c> gives one JSON object
/// per line with the instance id on every record and, inside an operation, its operation and
/// trace ids; without it the console stays one human-readable line per record.
/// </summary>
public sealed partial class StructuredLogTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly string[] Levels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    [Fact]
    public async Task With_the_json_formatter_every_line_is_a_json_object_carrying_the_instance_id_and_inside_an_operation_its_ids()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var missingDatabase = $"Data Source={Path.Combine(data.Path, "missing.db")}";
        await using var agent = AgentProcess.Start(emulator, data, output, s =>
        {
            s.Set("Connections:db:Provider", "sqlite").Set("Connections:db:ConnectionString", missingDatabase);
            s.Environment["Logging__Console__FormatterName"] = "json";
        });

        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);
        var echoes = Enumerable.Range(1, 3)
            .ToDictionary(i => emulator.Enqueue("/api/v1/agent/execute/builtin/echo", new JsonObject { ["trace_id"] = $"t-echo-{i}" }), i => $"t-echo-{i}");
        // Fails inside the SQL executor, which logs it: a record from deep inside the operation, after awaits.
        var query = emulator.Enqueue("/api/v1/agent/execute/sql/query", new JsonObject { ["trace_id"] = "t-sql", ["connection"] = "db", ["query"] = "select 1" });
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForResultsAsync(4, Bound);
        emulator.SendEvent(new { type = "goodbye" });
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));

        Assert.Empty(agent.ErrorLines);
        var instanceId = Assert.Single(emulator.Requests.Select(r => r.InstanceId).Distinct());
        var records = agent.Lines.Select(Parse).ToList();
        Assert.True(records.Count > 5, "too few records to say anything");
        foreach (var record in records)
        {
            Assert.True(DateTimeOffset.TryParse((string?)record["timestamp"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"timestamp: {record}");
            Assert.Contains((string?)record["level"], Levels);
            Assert.False(string.IsNullOrEmpty((string?)record["category"]), $"category: {record}");
            Assert.NotNull((string?)record["message"]);
            Assert.Equal(instanceId, (string?)record["instance_id"]);
        }

        foreach (var (operationId, traceId) in echoes)
        {
            var finished = Assert.Single(records, r => (string?)r["message"] == $"Operation {operationId} finished with success");
            Assert.Equal(operationId, (string?)finished["operation_id"]);
            Assert.Equal(traceId, (string?)finished["trace_id"]);
        }

        var failed = Assert.Single(records, r => ((string?)r["message"])!.StartsWith($"Query of operation {query} on connection db failed", StringComparison.Ordinal));
        Assert.EndsWith(".SqlQueryExecutor", (string?)failed["category"], StringComparison.Ordinal);
        Assert.Equal(query, (string?)failed["operation_id"]);
        Assert.Equal("t-sql", (string?)failed["trace_id"]);

        var started = Assert.Single(records, r => ((string?)r["message"])!.StartsWith("Agent instance ", StringComparison.Ordinal));
        Assert.Null(started["operation_id"]);
        Assert.Null(started["trace_id"]);
        Assert.DoesNotContain(agent.Lines, l => l.Contains(EmulatorCredential.Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(agent.Lines, l => l.Contains(missingDatabase, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_configuration_every_record_is_one_human_readable_line_with_a_utc_time()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);

        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);
        var before = DateTimeOffset.UtcNow;
        await emulator.RunEchoThroughStreamAsync("t-human", Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        Assert.Empty(agent.ErrorLines);
        Assert.True(agent.Lines.Count > 5, "too few records to say anything");
        Assert.All(agent.Lines, line => Assert.Matches(HumanLine(), line));
        var finished = Assert.Single(agent.Lines, l => l.Contains(" finished with success", StringComparison.Ordinal));
        var loggedAt = Lifecycle.AgentLog.TimeOf(finished, before);
        Assert.True((loggedAt - before).Duration() < Bound, $"{finished} is not in UTC (test started {before:O})");
    }

    private static JsonObject Parse(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"Not one JSON object: {line} ({ex.Message})");
        }
    }

    /// <summary><c>HH:mm:ss.fff info: Category[event id] message</c>, all on one line.</summary>
    [GeneratedRegex(@"^\d{2}:\d{2}:\d{2}\.\d{3} (trce|dbug|info|warn|fail|crit): [\w.]+\[-?\d+\] \S")]
    private static partial Regex HumanLine();
}
