using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Results;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Tests.Pipeline;

/// <summary>
/// The real worker pool from the application's container, around an outbox whose writes fail on
/// command, an executor that echoes the operation id, a fake clock and a log recorder.
/// </summary>
internal sealed class WorkerRig : IAsyncDisposable
{
    public const string Path = "/api/v1/agent/execute/test/op";

    private readonly ServiceProvider _provider;
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    public WorkerRig(int workers)
    {
        Outbox = new FaultyOutbox(Time);
        _provider = TestContainer.Services(services =>
        {
            services.Configure<OperationsOptions>(o => o.Workers = workers);
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<IResultOutbox>(Outbox);
            services.AddSingleton<IOperationExecutor>(new DelegateExecutor(
                OperationRoute.Execute("test", "op"),
                (context, _) => Execute?.Invoke(context) ?? Task.FromResult<JsonNode?>(new JsonObject { ["echo"] = context.OperationId })));
            services.AddSingleton<ILoggerProvider>(Logs);
        }).Build();
        Pool = _provider.GetRequiredService<WorkerPool>();
        Queue = _provider.GetRequiredService<WorkQueue>();
        Storage = _provider.GetRequiredService<IStorageHealth>();
        Tokens = _provider.GetRequiredService<PipelineTokens>();
        Signal = _provider.GetRequiredService<WorkSignal>();
    }

    /// <summary>When set, what the executor does instead of echoing the id (null from it: echo).</summary>
    public Func<OperationContext, Task<JsonNode?>?>? Execute { get; set; }

    public TrackingTimeProvider Time { get; } = new();
    public FaultyOutbox Outbox { get; }
    public RecordingLoggerProvider Logs { get; } = new();
    public WorkerPool Pool { get; }
    public WorkQueue Queue { get; }
    public IStorageHealth Storage { get; }
    public PipelineTokens Tokens { get; }
    public WorkSignal Signal { get; }

    /// <summary>The pool's loops once started.</summary>
    public Task Running => _run ?? throw new InvalidOperationException("Start the pool first.");

    public void Start() => _run = Task.Run(() => Pool.RunAsync(_stop.Token));

    /// <summary>Queues an operation holding a slot, as the poller does.</summary>
    public void Run(string operationId)
    {
        Assert.True(Queue.InFlight.TryReserve(), "a free slot");
        Queue.Enqueue(Envelope(operationId));
    }

    public static OperationEnvelope Envelope(string operationId) => Envelopes.Envelope(operationId, Path, "{}");

    /// <summary>Whether the poller was woken since the last look (consumes the wake-up).</summary>
    public Task<bool> PollerWasWokenAsync() => Signal.WakeUp.WaitAsync(TimeSpan.Zero, TimeProvider.System, CancellationToken.None);

    /// <summary>Moves the clock a whole backoff ceiling at a time until <paramref name="condition"/> holds.</summary>
    public async Task AdvanceUntilAsync(Func<bool> condition, string what)
    {
        for (var round = 0; round < 50 && !condition(); round++)
        {
            var created = Time.TimersCreated;
            Time.Advance(DurableResultWriter.MaxRetryCeiling);
            await Eventually.UntilAsync(() => condition() || (Time.TimersCreated > created && Time.HasPendingTimer), $"{what}, or the next retry is armed");
        }

        Assert.True(condition(), what);
    }

    public async ValueTask DisposeAsync()
    {
        // As in the agent: the shutdown sequence cancels running work before the host stops the loops.
        Tokens.CancelWork();
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.CompletesAsync();
        }

        _stop.Dispose();
        await _provider.DisposeAsync();
    }
}
