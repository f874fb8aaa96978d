using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
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

/// <summary><c>/api/v1/test/health</c> answers the fields of docs/protocol.md §9 from the agent's live state, and no secret.</summary>
public sealed class HealthExecutorTests : IDisposable
{
    private const string Secret = "token-secret-5d1f";
    private const string Password = "db-password-77aa";

    private readonly AgentSections _options = new();
    private readonly InstanceId _instanceId = InstanceId.New();
    private readonly Mock<IShutdownCoordinator> _coordinator = new();
    private readonly Mock<IResultOutbox> _outbox = new();
    private readonly Mock<IStorageHealth> _storage = new();
    private readonly InFlightCounter _inFlight = new(4);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"egress-health-{Guid.NewGuid():N}");

    public HealthExecutorTests()
    {
        _options.Orchestrator.BaseUrl = "https://agent:hunter2@orchestrator.example:8443/prefix/?token=abc#frag";
        _options.Orchestrator.TokenId = "key-id-1";
        _options.Orchestrator.TokenSecret = Secret;
        _options.Operations.Workers = 4;
        _options.Connections["db"] = new ConnectionOptions { Provider = "postgres", ConnectionString = $"Host=db;Password={Password}" };
        _coordinator.SetupGet(c => c.State).Returns(AgentState.Running);
        _outbox.SetupGet(o => o.PendingCount).Returns(3);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Health_has_every_field_of_the_contract()
    {
        var health = await RunAsync();

        string[] fields = ["platform", "version", "build", "instance_id", "trace_id", "uptime_seconds", "state", "workers", "in_flight",
            "outbox_pending", "env", "parameters", "authentication_key_id", "authentication_method", "backend_url"];
        Assert.All(fields, f => Assert.True(health.ContainsKey(f), $"missing {f}"));
        Assert.Equal(["CPU_COUNT", "DOTNET_VERSION", "OS"], health["env"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal("dotnet", health["platform"]!.GetValue<string>());
        Assert.Equal(Environment.ProcessorCount, health["env"]!["CPU_COUNT"]!.GetValue<int>());
        Assert.NotEmpty(health["version"]!.GetValue<string>());
        Assert.NotEmpty(health["build"]!.GetValue<string>());
    }

    [Fact]
    public async Task Health_reports_the_live_state_of_this_agent()
    {
        _inFlight.TryReserve();
        _inFlight.TryReserve();
        _coordinator.SetupGet(c => c.State).Returns(AgentState.Draining);

        var health = await RunAsync("trace-42");

        Assert.Equal(_instanceId.ToString(), health["instance_id"]!.GetValue<string>());
        Assert.Equal("trace-42", health["trace_id"]!.GetValue<string>());
        Assert.Equal("draining", health["state"]!.GetValue<string>());
        Assert.Equal(4, health["workers"]!.GetValue<int>());
        Assert.Equal(2, health["in_flight"]!.GetValue<int>());
        Assert.Equal(3, health["outbox_pending"]!.GetValue<int>());
        Assert.True(health["uptime_seconds"]!.GetValue<double>() >= 0);
    }

    [Fact]
    public async Task Health_names_the_credential_by_its_id_and_the_backend_without_credentials()
    {
        var health = await RunAsync();

        Assert.Equal("key-id-1", health["authentication_key_id"]!.GetValue<string>());
        Assert.Equal("token", health["authentication_method"]!.GetValue<string>());
        Assert.Equal("https://orchestrator.example:8443/prefix/", health["backend_url"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_a_token_file_health_names_the_method_and_the_id_read_from_the_file()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "token.json");
        await File.WriteAllTextAsync(file, $$"""{"mcd_id": "file-key-id", "mcd_token": "{{Secret}}"}""");
        _options.Orchestrator.TokenFile = file;

        var health = await RunAsync();

        Assert.Equal("token_file", health["authentication_method"]!.GetValue<string>());
        Assert.Equal("file-key-id", health["authentication_key_id"]!.GetValue<string>());
        Assert.DoesNotContain(Secret, health.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("token.json", health.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_secret_appears_anywhere_in_health()
    {
        var text = (await RunAsync()).ToJsonString();

        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("token=abc", text, StringComparison.Ordinal);
    }

    private async Task<JsonObject> RunAsync(string traceId = "t-health")
    {
        var executor = new HealthExecutor(Options.Create(_options.Orchestrator), Options.Create(_options.Operations), _options.HealthSettings(), _instanceId, _coordinator.Object, _inFlight, _outbox.Object, new FakeTimeProvider(DateTimeOffset.UtcNow), _storage.Object);
        Assert.Equal(OperationRoute.Exact("/api/v1/test/health"), executor.Route);
        var context = new OperationContext("op-1", "/api/v1/test/health", traceId, new JsonObject());
        return (await executor.ExecuteAsync(context, CancellationToken.None))!.AsObject();
    }
}
