using System.Text.Json.Nodes;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Results;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Application.Tests.Pipeline;

/// <summary>
/// docs/adr/0043: a store that does not return (an fsync on a stalled volume) is stuck once it
/// outlasts <see cref="AgentLoops.StoreBound"/>: liveness names it, health and readiness say why.
/// </summary>
public sealed class StoreLivenessTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly HangingOutbox _outbox = new();
    private readonly StorageHealth _health;
    private readonly LoopHeartbeats _heartbeats;
    private readonly DurableResultWriter _writer;

    public StoreLivenessTests()
    {
        _health = new StorageHealth(_time);
        _heartbeats = new LoopHeartbeats(_time);
        _writer = new DurableResultWriter(_outbox, _health, new WorkSignal(), _time, NullLogger<DurableResultWriter>.Instance, _heartbeats);
    }

    [Fact]
    public async Task A_store_that_never_returns_is_stuck_past_30_s_and_no_earlier()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), AgentLoops.StoreBound);
        var store = _writer.StoreAsync("op-1", OperationResult.Success(new JsonObject(), "t"), CancellationToken.None);
        await Eventually.UntilAsync(() => _outbox.Calls == 1, "the store is under way");

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(_heartbeats.Stuck());
        Assert.Null(_health.StuckFor);
        Assert.False(_health.IsDegraded);
        Assert.Null(_health.DegradedReason);

        _time.Advance(TimeSpan.FromSeconds(12));
        var stuck = Assert.Single(_heartbeats.Stuck());
        Assert.Equal("storage: one step working for 42 s, bound 30 s", stuck.ToString());
        Assert.Equal(TimeSpan.FromSeconds(42), _health.StuckFor);
        Assert.True(_health.IsDegraded, "intake pauses: more work would only wait behind the stuck store");
        Assert.Equal("storage stuck: a store has not returned for 42 s", _health.DegradedReason);
        Assert.False(store.IsCompleted);

        // The volume answers again: nothing is stuck any more, and the result was stored once.
        _outbox.Release();
        Assert.True(await store.CompletesAsync());
        Assert.Empty(_heartbeats.Stuck());
        Assert.Null(_health.StuckFor);
        Assert.False(_health.IsDegraded);
        Assert.Equal(1, _outbox.Calls);
    }

    [Fact]
    public async Task A_stuck_store_is_reported_beside_a_result_waiting_for_a_failed_store()
    {
        var store = _writer.StoreAsync("op-1", OperationResult.Success(null, "t"), CancellationToken.None);
        await Eventually.UntilAsync(() => _outbox.Calls == 1, "the store is under way");
        Assert.True(_health.StartWaiting("results cannot be stored (IOException: No space left on device)"));
        Assert.Equal("results cannot be stored (IOException: No space left on device)", _health.DegradedReason);

        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal("storage stuck: a store has not returned for 31 s", _health.DegradedReason);
        _outbox.Release();
        await store.CompletesAsync();
        Assert.Equal("results cannot be stored (IOException: No space left on device)", _health.DegradedReason);
        Assert.True(_health.StopWaiting());
    }

    /// <summary>An outbox whose writes hang until released, as on a volume whose fsync never returns.</summary>
    private sealed class HangingOutbox : IResultOutbox
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public int PendingCount => 0;

        public void Release() => _released.TrySetResult();

        public async Task<OutboxEntry> AddAsync(string operationId, JsonObject result, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await _released.Task;
            return OutboxEntry.Created(operationId, DateTimeOffset.UnixEpoch, TimeProvider.System);
        }

        public IReadOnlyList<OutboxEntry> ListPending() => [];

        public Task<StoredResult?> LoadAsync(OutboxEntry entry, CancellationToken cancellationToken) => Task.FromResult<StoredResult?>(null);

        public void Remove(OutboxEntry entry)
        {
        }
    }
}
