using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Operations;
using Moq;

namespace EgressAgent.Application.Tests.Execution;

public sealed class OperationRunnerTests
{
    private const string Path = "/api/v1/agent/execute/test/run";
    private readonly Mock<IOrchestratorApi> _orchestrator = new(MockBehavior.Strict);
    private readonly TrackingTimeProvider _time = new();

    [Fact]
    public async Task Success_wraps_the_payload_with_the_trace_id()
    {
        var executor = Executor((context, _) => Task.FromResult<JsonNode?>(new JsonObject { ["echo"] = context.Operation["value"]!.DeepClone() }));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, """{"trace_id":"t-1","value":42}"""), CancellationToken.None);

        Assert.NotNull(result);
        Assert.Equal("""{"__mcd_result__":{"echo":42},"__mcd_trace_id__":"t-1"}""", result.ToJson().ToJsonString());
        var context = Assert.Single(executor.Seen);
        Assert.Equal(("op-1", Path, "t-1"), (context.OperationId, context.Path, context.TraceId));
    }

    [Fact]
    public async Task Without_an_operation_trace_id_the_operation_id_is_the_trace_id()
    {
        var executor = Executor((_, _) => Task.FromResult<JsonNode?>(null));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, "{}"), CancellationToken.None);

        Assert.Equal("op-1", Assert.IsType<OperationResult.Succeeded>(result).TraceId);
    }

    [Fact]
    public async Task An_unknown_path_fails_as_unsupported()
    {
        var result = await Runner(Executor((_, _) => Task.FromResult<JsonNode?>(null)))
            .RunAsync(Envelopes.Envelope("op-1", "/api/v1/agent/execute/nobody/here", """{"trace_id":"t-1"}"""), CancellationToken.None);

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal("Unsupported operation path: /api/v1/agent/execute/nobody/here", failed.Message);
        Assert.Equal(ErrorKinds.UnsupportedOperation, failed.Kind);
        Assert.Equal("t-1", failed.TraceId);
    }

    [Fact]
    public async Task An_executor_that_runs_out_of_memory_ends_in_a_ResourceExhausted_result()
    {
        var executor = Executor((_, _) => throw new OutOfMemoryException());

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, """{"trace_id":"t-1"}"""), CancellationToken.None);

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal(ErrorKinds.ResourceExhausted, failed.Kind);
        Assert.Equal("Resource exhausted: the agent ran out of memory while running the operation", failed.Message);
        Assert.Equal("t-1", failed.TraceId);
    }

    [Fact]
    public async Task A_value_over_the_cap_ends_the_operation_in_a_ResourceExhausted_result_before_it_is_written()
    {
        var overCap = new byte[ResourceLimits.MaxValueBytes + 1];
        var writes = 0;
        var executor = Executor((_, _) =>
        {
            using var buffer = new MemoryStream();
            using var writer = new Utf8JsonWriter(buffer);
            WireValues.Write(writer, overCap); // as a SQL reader writes a row's value
            writes++;
            return Task.FromResult<JsonNode?>(null);
        });

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, "{}"), CancellationToken.None);

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal(ErrorKinds.ResourceExhausted, failed.Kind);
        Assert.Equal("Resource exhausted: a bytes value of 67108865 is larger than the cap of 67108864 (64 Mi)", failed.Message);
        Assert.Equal(0, writes);
        Assert.Throws<OperationFailedException>(() => WireValues.ToJson(new string('x', (int)ResourceLimits.MaxValueBytes + 1)));
        Assert.Equal("bytes", WireValues.ToJson(new byte[ResourceLimits.MaxValueBytes])!["__type__"]!.GetValue<string>()); // at the cap: written
    }

    [Fact]
    public async Task A_throwing_executor_becomes_an_error_named_after_the_exception()
    {
        var executor = Executor((_, _) => throw new InvalidDataException("bad rows"));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, "{}"), CancellationToken.None);

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal("bad rows", failed.Message);
        Assert.Equal(nameof(InvalidDataException), failed.Kind);
    }

    [Fact]
    public async Task An_executor_faulting_asynchronously_becomes_an_error_too()
    {
        var executor = Executor(async (_, _) =>
        {
            await Task.Yield();
            throw new FormatException("late");
        });

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, "{}"), CancellationToken.None);

        Assert.Equal(nameof(FormatException), Assert.IsType<OperationResult.Failed>(result).Kind);
    }

    [Fact]
    public async Task OperationFailedException_keeps_its_kind_and_message()
    {
        var executor = Executor((_, _) => throw new OperationFailedException("connection refused", "ConnectionError"));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, "{}"), CancellationToken.None);

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal(("connection refused", "ConnectionError"), (failed.Message, failed.Kind));
    }

    [Fact]
    public async Task Exceeding_operation_timeout_is_a_timeout_error()
    {
        var executor = Executor(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return null;
        });

        var run = Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, """{"timeout":2.5}"""), CancellationToken.None);
        await _time.WaitForPendingTimerAsync(dueTime: TimeSpan.FromSeconds(2.5));
        _time.Advance(TimeSpan.FromSeconds(2.5));

        var failed = Assert.IsType<OperationResult.Failed>(await run.CompletesAsync());
        Assert.Equal(ErrorKinds.Timeout, failed.Kind);
        Assert.Equal("Operation timed out after 2.5 s", failed.Message);
    }

    [Theory]
    [InlineData("""{"timeout":1e10}""", "'timeout' must be a number of seconds above 0 and at most 4294967, not 1e10")]
    [InlineData("""{"timeout":0}""", "'timeout' must be a number of seconds above 0 and at most 4294967, not 0")]
    [InlineData("""{"timeout":-5}""", "'timeout' must be a number of seconds above 0 and at most 4294967, not -5")]
    [InlineData("""{"timeout":"30"}""", "'timeout' must be a number of seconds above 0 and at most 4294967, not the string \"30\"")]
    [InlineData("""{"timeout":true}""", "'timeout' must be a number of seconds above 0 and at most 4294967, not a boolean")]
    [InlineData("""{"timeout":{"s":1}}""", "'timeout' must be a number of seconds above 0 and at most 4294967, not an object")]
    [InlineData("""{"response_size_limit_bytes":-1}""", "'response_size_limit_bytes' must be an integer from 0 to 9223372036854775807, not -1")]
    [InlineData("""{"response_size_limit_bytes":10.5}""", "'response_size_limit_bytes' must be an integer from 0 to 9223372036854775807, not 10.5")]
    [InlineData("""{"response_size_limit_bytes":"100"}""", "'response_size_limit_bytes' must be an integer from 0 to 9223372036854775807, not the string \"100\"")]
    [InlineData("""{"response_size_limit_bytes":1e30}""", "'response_size_limit_bytes' must be an integer from 0 to 9223372036854775807, not 1e30")]
    public async Task A_bound_of_the_wrong_type_or_out_of_range_is_an_invalid_operation_and_nothing_runs(string operation, string message)
    {
        var executor = Executor((_, _) => Task.FromResult<JsonNode?>(JsonValue.Create("done")));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, operation), CancellationToken.None).CompletesAsync();

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal((ErrorKinds.InvalidOperation, message), (failed.Kind, failed.Message));
        Assert.Equal("op-1", failed.TraceId);
        Assert.Empty(executor.Seen);
    }

    [Fact]
    public async Task A_null_timeout_is_no_timeout()
    {
        var executor = Executor((_, _) => Task.FromResult<JsonNode?>(JsonValue.Create("done")));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, """{"timeout":null,"response_size_limit_bytes":null}"""), CancellationToken.None);

        Assert.IsType<OperationResult.Succeeded>(result);
    }

    [Fact]
    public async Task Cancelled_by_shutdown_the_operation_gets_no_result()
    {
        using var shutdown = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var executor = Executor(async (_, token) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return null;
        });

        var run = Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, """{"timeout":60}"""), shutdown.Token);
        await started.Task.CompletesAsync();
        await shutdown.CancelAsync();

        Assert.Null(await run.CompletesAsync());
    }

    [Fact]
    public async Task After_shutdown_cancelled_work_nothing_starts()
    {
        var executor = Executor((_, _) => Task.FromResult<JsonNode?>(null));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, "{}"), new CancellationToken(canceled: true));

        Assert.Null(result);
        Assert.Empty(executor.Seen);
    }

    [Fact]
    public async Task The_response_fields_travel_with_the_result_so_that_its_size_is_judged_when_it_is_sent()
    {
        var payload = new JsonObject { ["rows"] = new string('x', 200) };
        var executor = Executor((_, _) => Task.FromResult<JsonNode?>(payload.DeepClone()));

        var result = await Runner(executor).RunAsync(
            Envelopes.Envelope("op-1", Path, """{"trace_id":"t-1","response_size_limit_bytes":100,"compress_response_file":true,"compress_response_threshold_bytes":50}"""),
            CancellationToken.None);

        Assert.IsType<OperationResult.Succeeded>(result);
        Assert.Equal(new ResultDelivery("t-1") { SizeLimit = 100, CompressFile = true, CompressThreshold = 50 }, result!.Delivery);
    }

    [Fact]
    public async Task A_result_without_response_fields_has_no_delivery_to_store()
    {
        var executor = Executor((_, _) => Task.FromResult<JsonNode?>(JsonValue.Create("small")));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, """{"response_size_limit_bytes":0,"compress_response_threshold_bytes":0}"""), CancellationToken.None);

        Assert.Null(result!.Delivery);
    }

    [Theory]
    [InlineData("""{"compress_response_file":"yes"}""", "'compress_response_file' must be true or false, not the string \"yes\"")]
    [InlineData("""{"compress_response_threshold_bytes":-1}""", "'compress_response_threshold_bytes' must be an integer from 0 to 9223372036854775807, not -1")]
    public async Task A_bad_compression_field_ends_the_operation_before_it_runs(string operation, string message)
    {
        var executor = Executor((_, _) => Task.FromResult<JsonNode?>(null));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, operation), CancellationToken.None);

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal((message, ErrorKinds.InvalidOperation), (failed.Message, failed.Kind));
        Assert.Empty(executor.Seen);
    }

    [Fact]
    public async Task A_result_within_response_size_limit_bytes_is_kept()
    {
        var executor = Executor((_, _) => Task.FromResult<JsonNode?>(JsonValue.Create("small")));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, """{"response_size_limit_bytes":1000}"""), CancellationToken.None);

        Assert.IsType<OperationResult.Succeeded>(result);
    }

    [Fact]
    public async Task An_oversized_envelope_downloads_its_body_and_uses_its_trace_id()
    {
        _orchestrator
            .Setup(o => o.DownloadOperationAsync("op-big", It.IsAny<CancellationToken>()))
            .ReturnsAsync(Envelopes.Json("""{"trace_id":"t-full","value":7}"""));
        var executor = Executor((context, _) => Task.FromResult<JsonNode?>(context.Operation["value"]!.DeepClone()));

        var result = await Runner(executor).RunAsync(
            Envelopes.Envelope("op-big", Path, """{"__mcd_size_exceeded__":true,"trace_id":"t-inline"}"""),
            CancellationToken.None);

        var succeeded = Assert.IsType<OperationResult.Succeeded>(result);
        Assert.Equal("t-full", succeeded.TraceId);
        Assert.Equal(7, succeeded.Payload!.GetValue<int>());
        Assert.Equal("t-full", Assert.Single(executor.Seen).TraceId);
        _orchestrator.Verify(o => o.DownloadOperationAsync("op-big", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_failed_download_is_a_download_error_with_the_envelope_trace_id()
    {
        _orchestrator
            .Setup(o => o.DownloadOperationAsync("op-big", It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("reset"));
        var executor = Executor((_, _) => Task.FromResult<JsonNode?>(null));

        var result = await Runner(executor).RunAsync(
            Envelopes.Envelope("op-big", Path, """{"__mcd_size_exceeded__":true,"trace_id":"t-inline"}"""),
            CancellationToken.None);

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal(ErrorKinds.DownloadFailed, failed.Kind);
        Assert.Equal("t-inline", failed.TraceId);
        Assert.Empty(executor.Seen);
    }

    [Fact]
    public async Task A_downloaded_body_with_text_that_is_not_valid_unicode_runs_with_replacement_characters()
    {
        _orchestrator
            .Setup(o => o.DownloadOperationAsync("op-big", It.IsAny<CancellationToken>()))
            .ReturnsAsync(Envelopes.Json("""{"trace_id":"t\ud800","k\udc00":"v\ud800"}"""));
        var executor = Executor((context, _) => Task.FromResult<JsonNode?>(context.Operation));

        var result = await Runner(executor).RunAsync(
            Envelopes.Envelope("op-big", Path, """{"__mcd_size_exceeded__":true}"""),
            CancellationToken.None);

        var succeeded = Assert.IsType<OperationResult.Succeeded>(result);
        Assert.Equal("t\uFFFD", succeeded.TraceId);
        Assert.Equal("v\uFFFD", succeeded.Payload!["k\uFFFD"]!.GetValue<string>());
        Assert.NotEmpty(result.ToJson().ToJsonString());
    }

    [Fact]
    public async Task An_inline_body_with_text_that_is_not_valid_unicode_ends_in_one_writable_result()
    {
        var executor = Executor((context, _) => Task.FromResult<JsonNode?>(context.Operation));
        var envelope = OperationEnvelope.TryRead(Envelopes.Json("""{"operation_id":"op-1","path":"/api/v1/agent/execute/test/run","operation":{"trace_id":"\ud800","\udc00":["\ud800"]}}"""))!;

        var result = await Runner(executor).RunAsync(envelope, CancellationToken.None);

        var succeeded = Assert.IsType<OperationResult.Succeeded>(result);
        Assert.Equal("\uFFFD", succeeded.TraceId);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            result.WriteTo(writer);
        }

        Assert.Equal(
            """{"__mcd_result__":{"trace_id":"\uFFFD","\uFFFD":["\uFFFD"]},"__mcd_trace_id__":"\uFFFD"}""",
            System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static DelegateExecutor Executor(Func<OperationContext, CancellationToken, Task<JsonNode?>> execute) =>
        new(OperationRoute.Execute("test", "run"), execute);

    private OperationRunner Runner(params IOperationExecutor[] executors) =>
        TestRunners.Over(executors, _time, _orchestrator.Object);
}
