using System.Collections.Concurrent;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Capacity;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace EgressAgent.Application.Tests.Pipeline;

/// <summary>
/// A real poller, queue and intake around a mocked E1 whose answers the test scripts one call
/// at a time (unscripted calls answer 204). Records every call and the in-flight count it saw.
/// </summary>
internal sealed class PollerRig : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<Func<CancellationToken, Task<FetchedOperation?>>> _script = new();
    private readonly ConcurrentQueue<int> _inFlightAtCall = new();
    private readonly CancellationTokenSource _stop = new();
    private int _calls;
    private int _concurrent;
    private int _maxConcurrent;
    private Task? _run;

    public PollerRig(int capacity)
    {
        InFlight = new InFlightCounter(capacity);
        Queue = new WorkQueue(InFlight);
        Intake = new AssignedWorkIntake(Queue, Tokens, NullLogger<AssignedWorkIntake>.Instance);
        Orchestrator
            .Setup(o => o.FetchOperationAsync(It.IsAny<CancellationToken>()))
            .Returns<CancellationToken>(FetchAsync);
        Poller = new OperationPoller(
            Orchestrator.Object,
            Queue,
            Signal,
            Intake,
            Tokens,
            TestOptions.Create<OperationsOptions>(o => o.PollInterval = PollInterval),
            TestOptions.Create<EndpointTimeoutOptions>(),
            Time,
            NullLogger<OperationPoller>.Instance,
            Storage,
            Heartbeats = new LoopHeartbeats(Time));
    }

    public TrackingTimeProvider Time { get; } = new();
    public Mock<IOrchestratorApi> Orchestrator { get; } = new(MockBehavior.Strict);
    public InFlightCounter InFlight { get; }
    public WorkQueue Queue { get; }
    public WorkSignal Signal { get; } = new();
    public PipelineTokens Tokens { get; } = new();
    public StorageHealth Storage { get; } = new(TimeProvider.System);
    public AssignedWorkIntake Intake { get; }
    public OperationPoller Poller { get; }

    /// <summary>What the poller reports to liveness (docs/adr/0024).</summary>
    public LoopHeartbeats Heartbeats { get; }

    public int Calls => Volatile.Read(ref _calls);
    public int MaxConcurrentCalls => Volatile.Read(ref _maxConcurrent);
    public IReadOnlyCollection<int> InFlightAtCalls => _inFlightAtCall;

    public void Answer(Func<CancellationToken, Task<FetchedOperation?>> answer) => _script.Enqueue(answer);

    public void AnswerWith(FetchedOperation? fetched) => Answer(_ => Task.FromResult(fetched));

    /// <summary>The poller's loop once started.</summary>
    public Task Running => _run ?? throw new InvalidOperationException("Start the poller first.");

    public void Start() => _run = Task.Run(() => Poller.RunAsync(_stop.Token));

    /// <summary>Waits until E1 was called <paramref name="calls"/> times and the poller is parked on its idle timer again.</summary>
    public async Task SettledAfterAsync(int calls, int timersBefore)
    {
        await Eventually.UntilAsync(() => Calls >= calls, $"E1 was called {calls} times (so far {Calls})");
        await Time.WaitForPendingTimerAsync(createdAfter: timersBefore, dueTime: PollInterval);
    }

    public List<string> DrainQueue()
    {
        var ids = new List<string>();
        while (Queue.Reader.TryRead(out var envelope))
        {
            ids.Add(envelope.OperationId);
        }

        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.CompletesAsync();
        }

        _stop.Dispose();
        Tokens.Dispose();
    }

    private async Task<FetchedOperation?> FetchAsync(CancellationToken cancellationToken)
    {
        _inFlightAtCall.Enqueue(InFlight.InFlight);
        Interlocked.Increment(ref _calls);
        var concurrent = Interlocked.Increment(ref _concurrent);
        var max = Volatile.Read(ref _maxConcurrent);
        while (concurrent > max && Interlocked.CompareExchange(ref _maxConcurrent, concurrent, max) != max)
        {
            max = Volatile.Read(ref _maxConcurrent);
        }

        try
        {
            return _script.TryDequeue(out var answer) ? await answer(cancellationToken) : null;
        }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
        }
    }
}

