using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Tests.Execution;

/// <summary><c>response_type</c> is checked for every operation before it runs (docs/protocol.md §12.1, §13).</summary>
public sealed class ResponseTypeTests
{
    private const string Path = "/api/v1/agent/execute/test/run";
    private readonly DelegateExecutor _executor = new(OperationRoute.Execute("test", "run"), (_, _) => Task.FromResult<JsonNode?>(new JsonObject { ["ok"] = true }));

    private async Task<OperationResult> RunAsync(string operation) =>
        (await TestRunners.Over([_executor], TimeProvider.System).RunAsync(Envelopes.Envelope("op-1", Path, operation), CancellationToken.None))!;

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"response_type": null}""")]
    [InlineData("""{"response_type": "json"}""")]
    public async Task Absent_or_json_runs_the_operation(string operation)
    {
        Assert.IsType<OperationResult.Succeeded>(await RunAsync(operation));
    }

    [Theory]
    [InlineData("""{"response_type": "xml"}""", "xml")]
    [InlineData("""{"response_type": "JSON"}""", "JSON")]
    [InlineData("""{"response_type": 5}""", "5")]
    public async Task Anything_else_is_invalid(string operation, string shown)
    {
        var failed = Assert.IsType<OperationResult.Failed>(await RunAsync(operation));

        Assert.Equal(($"Invalid response_type '{shown}'. Must be one of url, json", ErrorKinds.InvalidOperation), (failed.Message, failed.Kind));
        Assert.Empty(_executor.Seen);
    }

    [Fact]
    public async Task Url_fails_while_no_result_storage_is_configured()
    {
        var failed = Assert.IsType<OperationResult.Failed>(await RunAsync("""{"response_type": "url", "trace_id": "t-9"}"""));

        Assert.Equal(("Result storage is not configured", ErrorKinds.StorageNotConfigured, "t-9"), (failed.Message, failed.Kind, failed.TraceId));
        Assert.Empty(_executor.Seen);
    }
}
