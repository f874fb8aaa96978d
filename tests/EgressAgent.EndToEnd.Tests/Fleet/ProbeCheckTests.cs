using System.Text.Json.Nodes;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Lifecycle;
using EgressAgent.Domain.Operations;
using EgressAgent.Host.Management;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace EgressAgent.EndToEnd.Tests.Fleet;

/// <summary>The checks behind <c>/livez</c> and <c>/readyz</c>, each on its own with a fake clock.</summary>
public sealed class ProbeCheckTests
{
    private static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(120);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task The_orchestrator_check_needs_an_answer_within_ActivityTimeout_and_an_accepted_credential()
    {
        var activity = new RequestActivity(_time);
        var rejections = new CredentialRejections(_time);
        var check = new OrchestratorReadiness(activity, rejections, Options.Create(new OperationsOptions { ActivityTimeout = ActivityTimeout }));

        var beforeAnyAnswer = await CheckAsync(check);
        activity.Answered();
        _time.Advance(ActivityTimeout);
        var atTheLimit = await CheckAsync(check);
        _time.Advance(TimeSpan.FromSeconds(1));
        var pastTheLimit = await CheckAsync(check);
        activity.Answered();
        rejections.RecordRejected();
        _time.Advance(TimeSpan.FromSeconds(5));
        var rejected = await CheckAsync(check);

        Assert.Equal((HealthStatus.Unhealthy, "no answer from the orchestrator yet"), (beforeAnyAnswer.Status, beforeAnyAnswer.Description));
        Assert.Equal(HealthStatus.Healthy, atTheLimit.Status);
        Assert.Equal((HealthStatus.Unhealthy, "no answer from the orchestrator for 121 s (Operations:ActivityTimeout 120 s)"), (pastTheLimit.Status, pastTheLimit.Description));
        Assert.Equal((HealthStatus.Unhealthy, "the orchestrator has rejected the credential for 5 s"), (rejected.Status, rejected.Description));
    }

    [Theory]
    [InlineData(24 * 60)] // forward a day
    [InlineData(-60)] // back an hour
    public async Task A_wall_clock_step_fails_neither_probe(int minutes)
    {
        // docs/protocol.md §10 "Time": both probes measure on the monotonic clock.
        var time = new SteppedWallClock();
        var activity = new RequestActivity(time);
        var heartbeats = new LoopHeartbeats(time);
        var ready = new OrchestratorReadiness(activity, new CredentialRejections(time), Options.Create(new OperationsOptions { ActivityTimeout = ActivityTimeout }));
        var live = new LivenessCheck(new AgentLiveness(heartbeats, new ServiceCollection().BuildServiceProvider()));
        activity.Answered();
        using var step = heartbeats.Working(AgentLoops.Publisher, AgentLoops.PublishBound(new EndpointTimeoutOptions()));
        time.Advance(TimeSpan.FromSeconds(10));

        time.StepWallClock(TimeSpan.FromMinutes(minutes));

        var readiness = await CheckAsync(ready);
        var liveness = await CheckAsync(live);
        Assert.Equal((HealthStatus.Healthy, "last answer 10 s ago"), (readiness.Status, readiness.Description));
        Assert.Equal(HealthStatus.Healthy, liveness.Status);
    }

    [Theory]
    [InlineData(AgentState.Running, false, HealthStatus.Healthy, "running")]
    [InlineData(AgentState.Running, true, HealthStatus.Unhealthy, "shutting down")]
    [InlineData(AgentState.Draining, true, HealthStatus.Unhealthy, "shutting down (draining)")]
    [InlineData(AgentState.Stopping, true, HealthStatus.Unhealthy, "shutting down (stopping)")]
    public async Task The_shutdown_check_fails_from_the_moment_the_sequence_starts(AgentState state, bool stopping, HealthStatus expected, string description)
    {
        var coordinator = new Mock<IShutdownCoordinator>();
        coordinator.SetupGet(c => c.State).Returns(state);
        coordinator.SetupGet(c => c.Stopping).Returns(new CancellationToken(canceled: stopping));

        var result = await CheckAsync(new ShutdownReadiness(coordinator.Object));

        Assert.Equal((expected, description), (result.Status, result.Description));
    }

    [Fact]
    public async Task Liveness_names_a_stuck_loop_and_a_dead_one_and_is_healthy_without_either()
    {
        var heartbeats = new LoopHeartbeats(_time);
        using var dead = new FaultedLoop();
        await dead.StartAsync(CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => dead.ExecuteTask!); // it runs on a thread of its own
        using var idle = new IdleLoop();
        await idle.StartAsync(CancellationToken.None);
        var services = new ServiceCollection()
            .AddSingleton<IHostedService>(dead)
            .AddSingleton<IHostedService>(idle)
            .BuildServiceProvider();
        var check = new LivenessCheck(new AgentLiveness(heartbeats, services));

        var bound = AgentLoops.PublishBound(new EndpointTimeoutOptions());
        using (heartbeats.Working(AgentLoops.Publisher, bound))
        {
            _time.Advance(bound + TimeSpan.FromSeconds(5));
            var result = await CheckAsync(check);

            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.Equal("publisher: one step working for 95 s, bound 90 s (stuck); FaultedLoop: dead (InvalidOperationException)", result.Description);
        }

        var withoutTheStep = await CheckAsync(check);
        Assert.Equal("FaultedLoop: dead (InvalidOperationException)", withoutTheStep.Description);

        var alive = await CheckAsync(new LivenessCheck(new AgentLiveness(heartbeats, new ServiceCollection().AddSingleton<IHostedService>(idle).BuildServiceProvider())));
        Assert.Equal((HealthStatus.Healthy, "every loop makes progress"), (alive.Status, alive.Description));
        await idle.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_worker_reported_dead_fails_liveness()
    {
        var heartbeats = new LoopHeartbeats(_time);
        var check = new LivenessCheck(new AgentLiveness(heartbeats, new ServiceCollection().BuildServiceProvider()));

        heartbeats.Dead(AgentLoops.Workers, "worker 3 died 3 times in a row without finishing an operation (InvalidOperationException: broken); not replaced");
        var result = await CheckAsync(check);

        Assert.Equal(
            (HealthStatus.Unhealthy, "workers: worker 3 died 3 times in a row without finishing an operation (InvalidOperationException: broken); not replaced (dead)"),
            (result.Status, result.Description));
    }

    /// <summary>
    /// The Host's checks over the real writer, storage health and heartbeats, with an outbox whose
    /// store never returns (a stalled fsync): no FUSE or blocked volume in this rig, so the wiring
    /// is what is proved, not the kernel's part.
    /// </summary>
    [Fact]
    public async Task A_store_that_never_returns_fails_liveness_and_readiness_past_30_s_naming_no_path()
    {
        var heartbeats = new LoopHeartbeats(_time);
        var storage = new StorageHealth(_time);
        var outbox = new Mock<IResultOutbox>();
        var never = new TaskCompletionSource<OutboxEntry>();
        outbox.Setup(o => o.AddAsync(It.IsAny<string>(), It.IsAny<JsonObject>(), It.IsAny<CancellationToken>())).Returns(never.Task);
        outbox.Setup(o => o.AddAsync(It.IsAny<string>(), It.IsAny<OperationResult>(), It.IsAny<CancellationToken>())).Returns(never.Task);
        var writer = new DurableResultWriter(outbox.Object, storage, new WorkSignal(), _time, NullLogger<DurableResultWriter>.Instance, heartbeats);
        var live = new LivenessCheck(new AgentLiveness(heartbeats, new ServiceCollection().BuildServiceProvider()));
        var ready = new StorageReadiness(storage);

        var store = writer.StoreAsync("op-1", OperationResult.Success(null, "t"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        var liveAtTheBound = await CheckAsync(live);
        var readyAtTheBound = await CheckAsync(ready);
        _time.Advance(TimeSpan.FromSeconds(15));
        var livePast = await CheckAsync(live);
        var readyPast = await CheckAsync(ready);

        Assert.Equal(HealthStatus.Healthy, liveAtTheBound.Status);
        Assert.Equal(HealthStatus.Healthy, readyAtTheBound.Status);
        Assert.Equal((HealthStatus.Unhealthy, "storage: one step working for 45 s, bound 30 s (stuck)"), (livePast.Status, livePast.Description));
        Assert.Equal((HealthStatus.Unhealthy, "storage stuck: a store has not returned for 45 s"), (readyPast.Status, readyPast.Description));

        never.SetResult(OutboxEntry.Created("op-1", DateTimeOffset.UnixEpoch, TimeProvider.System));
        Assert.True(await store.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(live)).Status);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(ready)).Status);
    }

    private static Task<HealthCheckResult> CheckAsync(IHealthCheck check) => check.CheckHealthAsync(new HealthCheckContext());

    private sealed class FaultedLoop : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.FromException(new InvalidOperationException("boom"));
    }

    private sealed class IdleLoop : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }
}
