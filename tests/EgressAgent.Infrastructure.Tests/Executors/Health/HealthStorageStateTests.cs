using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Results;
using EgressAgent.Domain;
using EgressAgent.Domain.Capacity;
using EgressAgent.Domain.Lifecycle;
using EgressAgent.Infrastructure.Executors.Health;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace EgressAgent.Infrastructure.Tests.Executors.Health;

/// <summary>Contract §9/§10: while a result waits to be stored, health says <c>degraded</c> and why.</summary>
public sealed class HealthStorageStateTests
{
    private const string Reason = "results cannot be stored (IOException: No space left on device)";

    private readonly Mock<IShutdownCoordinator> _coordinator = new();
    private readonly Mock<IStorageHealth> _storage = new();

    [Fact]
    public async Task While_a_result_waits_to_be_stored_a_running_agent_is_degraded_with_the_reason()
    {
        _coordinator.SetupGet(c => c.State).Returns(AgentState.Running);
        _storage.SetupGet(s => s.DegradedReason).Returns(Reason);

        var health = await RunAsync();

        Assert.Equal("degraded", health["state"]!.GetValue<string>());
        Assert.Equal(Reason, health["degraded_reason"]!.GetValue<string>());
        var keys = health.Select(p => p.Key).ToList();
        Assert.Equal(keys.IndexOf("state") + 1, keys.IndexOf("degraded_reason"));
    }

    [Fact]
    public async Task With_storage_healthy_the_state_is_running_and_there_is_no_reason()
    {
        _coordinator.SetupGet(c => c.State).Returns(AgentState.Running);

        var health = await RunAsync();

        Assert.Equal("running", health["state"]!.GetValue<string>());
        Assert.False(health.ContainsKey("degraded_reason"));
    }

    [Theory]
    [InlineData(AgentState.Draining, "draining")]
    [InlineData(AgentState.Stopping, "stopping")]
    public async Task A_shutdown_under_way_is_reported_even_while_storage_fails(AgentState state, string expected)
    {
        _coordinator.SetupGet(c => c.State).Returns(state);
        _storage.SetupGet(s => s.DegradedReason).Returns(Reason);

        var health = await RunAsync();

        Assert.Equal(expected, health["state"]!.GetValue<string>());
        Assert.False(health.ContainsKey("degraded_reason"));
    }

    private async Task<JsonObject> RunAsync()
    {
        var options = new AgentSections();
        options.Orchestrator.BaseUrl = "https://orchestrator.example/";
        options.Orchestrator.TokenId = "key-id";
        var executor = new HealthExecutor(
            Options.Create(options.Orchestrator),
            Options.Create(options.Operations),
            options.HealthSettings(),
            InstanceId.New(),
            _coordinator.Object,
            new InFlightCounter(2),
            new Mock<IResultOutbox>().Object,
            new FakeTimeProvider(DateTimeOffset.UtcNow),
            _storage.Object);
        var context = new OperationContext("op-1", "/api/v1/test/health", "t-1", new JsonObject());
        return (await executor.ExecuteAsync(context, CancellationToken.None))!.AsObject();
    }
}
