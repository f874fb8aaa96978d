using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Executors.Builtin;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Executors;

/// <summary>Contract §5.2: builtin/sleep waits duration_ms (an integer 0..3,600,000), cancellably.</summary>
public sealed class SleepExecutorTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Sleep_waits_the_duration_and_returns_slept_ms()
    {
        var sleeping = Sleep("{\"duration_ms\":1500}", CancellationToken.None);

        _time.Advance(TimeSpan.FromMilliseconds(1499));
        Assert.False(sleeping.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var result = await sleeping.WaitAsync(Pulse.DefaultTimeout);
        Assert.Equal(1500, result!["slept_ms"]!.GetValue<long>());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3_600_000)]
    public async Task The_bounds_of_the_range_are_accepted(long durationMs)
    {
        var sleeping = Sleep($"{{\"duration_ms\":{durationMs}}}", CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(durationMs));

        var result = await sleeping.WaitAsync(Pulse.DefaultTimeout);
        Assert.Equal(durationMs, result!["slept_ms"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("{\"duration_ms\":-1}")]
    [InlineData("{\"duration_ms\":3600001}")]
    [InlineData("{\"duration_ms\":1.5}")]
    [InlineData("{\"duration_ms\":\"100\"}")]
    [InlineData("{\"duration_ms\":null}")]
    [InlineData("{\"duration_ms\":true}")]
    [InlineData("{\"duration_ms\":[100]}")]
    [InlineData("{\"duration_ms\":1e999}")]
    [InlineData("{\"duration_ms\":{\"ms\":1}}")]
    [InlineData("{}")]
    public async Task Anything_but_an_integer_in_range_is_an_invalid_operation(string operation)
    {
        var error = await Assert.ThrowsAsync<OperationFailedException>(() => Sleep(operation, CancellationToken.None));

        Assert.Equal(ErrorKinds.InvalidOperation, error.Kind);
        Assert.StartsWith("'duration_ms' must be an integer from 0 to 3600000, not ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"duration_ms\":1.0}", 1)]
    [InlineData("{\"duration_ms\":2e3}", 2000)]
    public async Task A_whole_number_written_with_a_fraction_or_an_exponent_is_accepted(string operation, long expectedMs)
    {
        var sleeping = Sleep(operation, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(expectedMs));

        var result = await sleeping.WaitAsync(Pulse.DefaultTimeout);
        Assert.Equal(expectedMs, result!["slept_ms"]!.GetValue<long>());
    }

    [Fact]
    public async Task Sleep_is_cancellable()
    {
        using var cancel = new CancellationTokenSource();
        var sleeping = Sleep("{\"duration_ms\":3600000}", cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sleeping.WaitAsync(Pulse.DefaultTimeout));
    }

    private Task<System.Text.Json.Nodes.JsonNode?> Sleep(string operation, CancellationToken cancellationToken) =>
        new SleepExecutor(_time).ExecuteAsync(ExecutorContexts.For("/api/v1/agent/execute/builtin/sleep", operation), cancellationToken);
}
