using System.Text.Json.Nodes;
using EgressAgent.Infrastructure.Executors.Builtin;

namespace EgressAgent.Infrastructure.Tests.Executors;

/// <summary>Contract §5.2: builtin/echo returns the operation object unchanged.</summary>
public sealed class EchoExecutorTests
{
    [Fact]
    public async Task Echo_returns_the_operation_unchanged()
    {
        const string operation = "{\"trace_id\":\"t-1\",\"nested\":{\"a\":[1,\"two\",null,true]},\"n\":1.5}";
        var context = ExecutorContexts.For("/api/v1/agent/execute/builtin/echo", operation);

        var result = await new EchoExecutor().ExecuteAsync(context, CancellationToken.None);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(operation), result));
    }

    [Fact]
    public void Echo_is_routed_at_builtin_echo()
    {
        var route = new EchoExecutor().Route;

        Assert.Equal(Application.Execution.OperationRoute.Execute("builtin", "echo"), route);
    }
}
