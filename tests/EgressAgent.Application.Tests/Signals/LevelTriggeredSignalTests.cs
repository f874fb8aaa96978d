using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Tests.Support;

namespace EgressAgent.Application.Tests.Signals;

public sealed class LevelTriggeredSignalTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TrackingTimeProvider _time = new();
    private readonly LevelTriggeredSignal _signal = new();

    [Fact]
    public async Task WaitAsync_after_a_Set_returns_true_at_once()
    {
        _signal.Set();

        var wait = _signal.WaitAsync(Timeout, _time, CancellationToken.None);

        Assert.True(wait.IsCompleted);
        Assert.True(await wait);
    }

    [Fact]
    public async Task Several_Sets_before_a_wait_collapse_into_one_wake_up()
    {
        _signal.Set();
        _signal.Set();
        _signal.Set();

        Assert.True(await _signal.WaitAsync(Timeout, _time, CancellationToken.None).CompletesAsync());
        var second = _signal.WaitAsync(Timeout, _time, CancellationToken.None);

        Assert.False(second.IsCompleted);
        await _time.WaitForPendingTimerAsync();
        _time.Advance(Timeout);
        Assert.False(await second.CompletesAsync());
    }

    [Fact]
    public async Task Set_during_a_wait_wakes_it_without_time_passing()
    {
        var wait = _signal.WaitAsync(Timeout, _time, CancellationToken.None);
        Assert.False(wait.IsCompleted);

        _signal.Set();

        Assert.True(await wait.CompletesAsync());
    }

    [Fact]
    public async Task A_wake_up_is_consumed_so_the_next_wait_blocks()
    {
        var first = _signal.WaitAsync(Timeout, _time, CancellationToken.None);
        _signal.Set();
        Assert.True(await first.CompletesAsync());

        var second = _signal.WaitAsync(Timeout, _time, CancellationToken.None);

        Assert.False(second.IsCompleted);
        _signal.Set();
        Assert.True(await second.CompletesAsync());
    }

    [Fact]
    public async Task WaitAsync_returns_false_when_the_timeout_passes_first()
    {
        var wait = _signal.WaitAsync(TimeSpan.FromSeconds(5), _time, CancellationToken.None);
        await _time.WaitForPendingTimerAsync(dueTime: TimeSpan.FromSeconds(5));

        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.False(await wait.CompletesAsync());
    }

    [Fact]
    public async Task A_Set_after_a_timeout_is_kept_for_the_next_wait()
    {
        var timedOut = _signal.WaitAsync(TimeSpan.FromSeconds(1), _time, CancellationToken.None);
        await _time.WaitForPendingTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await timedOut.CompletesAsync());

        _signal.Set();

        Assert.True(await _signal.WaitAsync(Timeout, _time, CancellationToken.None).CompletesAsync());
    }

    [Fact]
    public async Task WaitAsync_throws_when_cancelled()
    {
        using var cancellation = new CancellationTokenSource();
        var wait = _signal.WaitAsync(Timeout, _time, cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.CompletesAsync());
    }
}
