using System.Text.Json.Nodes;
using EgressAgent.Application.Health;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Capacity;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Tests.Pipeline;

public sealed class IdleMemoryTrimTests : IAsyncDisposable
{
    private readonly TrackingTimeProvider _time = new();
    private readonly InFlightCounter _inFlight = new(2);
    private readonly AgentCounters _counters = new();
    private readonly InMemoryOutbox _outbox;
    private readonly RecordingLogger<IdleMemoryTrim> _logger = new();
    private readonly IdleMemoryTrim _trim;
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;
    private int _compactions;

    public IdleMemoryTrimTests()
    {
        _outbox = new InMemoryOutbox(_time);
        _trim = new IdleMemoryTrim(_inFlight, _counters, _outbox, _time, _logger, () => Interlocked.Increment(ref _compactions));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.CompletesAsync();
        }

        _stop.Dispose();
        _counters.Dispose();
    }

    [Fact]
    public async Task After_start_up_the_heap_is_compacted_once_when_quiet_and_logged_at_Debug()
    {
        await StartAsync();

        await AdvanceChecksAsync(IdleMemoryTrim.QuietFor - IdleMemoryTrim.CheckEvery);
        var beforeQuiet = _compactions;
        await AdvanceChecksAsync(IdleMemoryTrim.QuietFor * 5);

        Assert.Equal(0, beforeQuiet);
        Assert.Equal(1, _compactions);
        Assert.True(_logger.Logged(LogLevel.Debug, "heap compacted"), "expected a Debug log of the trim");
    }

    [Fact]
    public async Task While_an_operation_is_queued_or_running_nothing_is_compacted()
    {
        _inFlight.TryReserve();
        await StartAsync();

        await AdvanceChecksAsync(IdleMemoryTrim.QuietFor * 5);

        Assert.Equal(0, _compactions);
    }

    [Fact]
    public async Task While_a_result_waits_for_delivery_nothing_is_compacted()
    {
        await _outbox.AddAsync("op-1", new JsonObject { ["status"] = "success" }, CancellationToken.None);
        await StartAsync();

        await AdvanceChecksAsync(IdleMemoryTrim.QuietFor * 5);

        Assert.Equal(0, _compactions);
    }

    [Fact]
    public async Task Each_burst_of_work_earns_one_more_compaction_after_it_is_over()
    {
        await StartAsync();
        await AdvanceChecksAsync(IdleMemoryTrim.QuietFor * 2);

        // A burst: operations end between checks, so only the counters show it happened.
        _counters.OperationSucceeded();
        await AdvanceChecksAsync(IdleMemoryTrim.CheckEvery);
        _counters.ResultDelivered();
        await AdvanceChecksAsync(IdleMemoryTrim.QuietFor - IdleMemoryTrim.CheckEvery);
        var duringQuietWait = _compactions;
        await AdvanceChecksAsync(IdleMemoryTrim.QuietFor * 5);

        Assert.Equal(1, duringQuietWait);
        Assert.Equal(2, _compactions);
    }

    private async Task StartAsync()
    {
        _run = Task.Run(() => _trim.RunAsync(_stop.Token));
        await _time.WaitForPendingTimerAsync();
    }

    /// <summary>Moves time one check at a time, waiting each time until the loop is parked on its next delay.</summary>
    private async Task AdvanceChecksAsync(TimeSpan total)
    {
        for (var moved = TimeSpan.Zero; moved < total; moved += IdleMemoryTrim.CheckEvery)
        {
            var created = _time.TimersCreated;
            _time.Advance(IdleMemoryTrim.CheckEvery);
            await _time.WaitForPendingTimerAsync(createdAfter: created);
        }
    }
}
