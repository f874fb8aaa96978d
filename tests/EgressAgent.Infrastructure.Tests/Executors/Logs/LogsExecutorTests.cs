using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Executors.Logs;
using EgressAgent.Infrastructure.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Executors.Logs;

/// <summary><c>/api/v1/agent/logs</c>: records the host's logging wrote, oldest first, at most <c>limit</c>.</summary>
public sealed class LogsExecutorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Records_logged_through_the_host_logging_come_back_formatted_oldest_first()
    {
        using var services = Services();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Egress.Test");
        logger.LogInformation("first {Value}", 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        logger.LogWarning(new InvalidOperationException("not kept"), "second {Value}", 2);

        var records = await RunAsync(services.GetRequiredService<LogRingBuffer>(), new JsonObject());

        Assert.Equal(2, records.Count);
        Assert.Equal("""{"ts":"2025-03-01T12:00:00.0000000Z","level":"Information","category":"Egress.Test","message":"first 1"}""", records[0]!.ToJsonString());
        Assert.Equal("second 2", records[1]!["message"]!.GetValue<string>());
        Assert.Equal("Warning", records[1]!["level"]!.GetValue<string>());
        Assert.Equal("InvalidOperationException", records[1]!["exception"]!.GetValue<string>());
        Assert.DoesNotContain("not kept", records.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_most_limit_records_come_back_the_most_recent_ones()
    {
        var buffer = new LogRingBuffer(100);
        for (var i = 0; i < 50; i++)
        {
            buffer.Add(new LogRecord(DateTimeOffset.UnixEpoch, "Debug", "c", $"m{i}", null));
        }

        var records = await RunAsync(buffer, new JsonObject { ["limit"] = 3 });

        Assert.Equal(["m47", "m48", "m49"], records.Select(r => r!["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Without_a_limit_at_most_a_thousand_records_come_back()
    {
        var buffer = new LogRingBuffer(5_000);
        for (var i = 0; i < 1_500; i++)
        {
            buffer.Add(new LogRecord(DateTimeOffset.UnixEpoch, "Debug", "c", $"m{i}", null));
        }

        var records = await RunAsync(buffer, new JsonObject());

        Assert.Equal(1_000, records.Count);
        Assert.Equal("m500", records[0]!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("\"ten\"")]
    [InlineData("2.5")]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("2147483648")]
    public async Task An_invalid_limit_is_an_invalid_operation_error(string limit)
    {
        var executor = new LogsExecutor(new LogRingBuffer(10));
        var context = new OperationContext("op", "/api/v1/agent/logs", "t", new JsonObject { ["limit"] = JsonNode.Parse(limit) });

        var error = await Assert.ThrowsAsync<OperationFailedException>(() => executor.ExecuteAsync(context, CancellationToken.None));

        Assert.Equal(ErrorKinds.InvalidOperation, error.Kind);
        Assert.StartsWith("'limit' must be an integer from 0 to 2147483647, not ", error.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddAgentLogBuffer());
        return services.BuildServiceProvider();
    }

    private static async Task<JsonArray> RunAsync(LogRingBuffer buffer, JsonObject operation)
    {
        var executor = new LogsExecutor(buffer);
        var context = new OperationContext("op", "/api/v1/agent/logs", "t", operation);
        var payload = await executor.ExecuteAsync(context, CancellationToken.None);
        return payload!["records"]!.AsArray();
    }
}
