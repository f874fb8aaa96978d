using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Executors.Builtin;

namespace EgressAgent.Infrastructure.Tests.Executors;

/// <summary>docs/protocol.md §5.2: builtin/fail is an error result carrying the operation's message.</summary>
public sealed class FailExecutorTests
{
    [Fact]
    public async Task Fail_throws_with_the_message()
    {
        var context = ExecutorContexts.For("/api/v1/agent/execute/builtin/fail", "{\"message\":\"boom: disk on fire\"}");

        var error = await Assert.ThrowsAsync<OperationFailedException>(() => new FailExecutor().ExecuteAsync(context, CancellationToken.None));

        Assert.Equal("boom: disk on fire", error.Message);
        Assert.Equal(ErrorKinds.OperationFailed, error.Kind);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"message\":42}")]
    [InlineData("{\"message\":null}")]
    public async Task Without_a_string_message_it_fails_with_an_empty_message(string operation)
    {
        // The runner turns an empty message into "Unknown error: <kind>" (docs/protocol.md §5.3).
        var context = ExecutorContexts.For("/api/v1/agent/execute/builtin/fail", operation);

        var error = await Assert.ThrowsAsync<OperationFailedException>(() => new FailExecutor().ExecuteAsync(context, CancellationToken.None));

        Assert.Equal(string.Empty, error.Message);
    }
}
