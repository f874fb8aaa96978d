using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Tests.Execution;

/// <summary>
/// An executor whose <c>timeout</c> is its own parameter (the network checks, docs/adr/0047): it reads
/// the field itself and answers its own timeout; the runner keeps only a backstop past it.
/// </summary>
public sealed class SelfTimedExecutorTests
{
    private const string Path = "/api/v1/test/network/self-timed";
    private static readonly TimeSpan OwnTimeout = TimeSpan.FromSeconds(3);

    private readonly TrackingTimeProvider _time = new();

    [Fact]
    public async Task The_runner_bounds_it_at_its_own_timeout_plus_the_grace_and_says_so()
    {
        var executor = new SelfTimed(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return null;
        });

        var run = Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, """{"timeout":3}"""), CancellationToken.None);
        var backstop = OwnTimeout + ISelfTimedExecutor.BackstopGrace;
        await _time.WaitForPendingTimerAsync(dueTime: backstop);
        _time.Advance(backstop);

        var failed = Assert.IsType<OperationResult.Failed>(await run.CompletesAsync());
        Assert.Equal((ErrorKinds.Timeout, "Operation timed out after 5 s"), (failed.Kind, failed.Message));
        Assert.DoesNotContain(OwnTimeout, _time.DueTimes);
    }

    [Fact]
    public async Task Its_own_answer_at_its_timeout_is_the_result_not_a_TimeoutError()
    {
        var executor = new SelfTimed(async (_, token) =>
        {
            await Task.Delay(OwnTimeout, _time, token);
            throw new OperationFailedException("Port 1 is closed on db.", ErrorKinds.NetworkCheckFailed);
        });

        var run = Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, """{"timeout":3}"""), CancellationToken.None);
        await _time.WaitForPendingTimerAsync(dueTime: OwnTimeout);
        _time.Advance(OwnTimeout);

        var failed = Assert.IsType<OperationResult.Failed>(await run.CompletesAsync());
        Assert.Equal((ErrorKinds.NetworkCheckFailed, "Port 1 is closed on db."), (failed.Kind, failed.Message));
    }

    [Fact]
    public async Task A_timeout_the_runner_would_refuse_reaches_the_executor_which_answers_it_itself()
    {
        var executor = new SelfTimed((context, _) =>
            throw new OperationFailedException($"Invalid value for timeout parameter: {context.Operation["timeout"]}", ErrorKinds.InvalidOperation));

        var result = await Runner(executor).RunAsync(Envelopes.Envelope("op-1", Path, """{"timeout":true}"""), CancellationToken.None).CompletesAsync();

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal("Invalid value for timeout parameter: true", failed.Message);
        Assert.Single(executor.Seen);
    }

    private OperationRunner Runner(IOperationExecutor executor) => TestRunners.Over([executor], _time);

    /// <summary>A self-timed executor whose own timeout is always <see cref="OwnTimeout"/>; its behaviour is the test's lambda.</summary>
    private sealed class SelfTimed(Func<OperationContext, CancellationToken, Task<JsonNode?>> execute) : ISelfTimedExecutor
    {
        private readonly DelegateExecutor _inner = new(OperationRoute.Exact(Path), execute);

        public OperationRoute Route => _inner.Route;

        public IReadOnlyList<OperationContext> Seen => _inner.Seen;

        public TimeSpan TimeoutOf(JsonObject operation) => OwnTimeout;

        public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken) => _inner.ExecuteAsync(context, cancellationToken);
    }
}
