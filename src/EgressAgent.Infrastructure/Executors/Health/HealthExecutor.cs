using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Domain;
using EgressAgent.Domain.Capacity;
using EgressAgent.Domain.Lifecycle;
using EgressAgent.Domain.Text;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Executors.Health;

/// <summary><c>/api/v1/test/health</c>: the fields of docs/protocol.md §9, never a secret.</summary>
internal sealed class HealthExecutor(
    IOptions<OrchestratorOptions> orchestratorOptions,
    IOptions<OperationsOptions> operations,
    HealthSettings settings,
    InstanceId instanceId,
    IShutdownCoordinator coordinator,
    InFlightCounter inFlight,
    IResultOutbox outbox,
    TimeProvider timeProvider,
    IStorageHealth storage) : IOperationExecutor
{
    private const string Degraded = "degraded";
    private static readonly (string Version, string Build) Release = ReleaseOf(typeof(HealthExecutor).Assembly);

    /// <summary>
    /// The process's age when this executor was made, read against the wall clock once (the start
    /// time the OS reports is a wall time); from then on uptime counts on the monotonic clock, so a
    /// wall-clock step does not move it (docs/protocol.md §10 "Time", docs/adr/0042).
    /// </summary>
    private readonly TimeSpan _ageWhenMade = AgeOfThisProcess();
    private readonly long _madeAt = timeProvider.GetTimestamp();

    public OperationRoute Route { get; } = OperationRoute.Exact("/api/v1/test/health");

    public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var orchestrator = orchestratorOptions.Value;
        var usesTokenFile = !string.IsNullOrEmpty(orchestrator.TokenFile);
        var degradedReason = storage.DegradedReason; // read once: it may clear meanwhile
        var state = StateOf(coordinator.State, degradedReason);
        var health = new JsonObject
        {
            ["platform"] = "dotnet",
            ["version"] = Release.Version,
            ["build"] = Release.Build,
            ["instance_id"] = instanceId.ToString(),
            ["trace_id"] = context.TraceId,
            ["uptime_seconds"] = Math.Round((_ageWhenMade + timeProvider.GetElapsedTime(_madeAt)).TotalSeconds, 3),
            ["state"] = state,
            ["workers"] = operations.Value.Workers,
            ["in_flight"] = inFlight.InFlight,
            ["outbox_pending"] = outbox.PendingCount,
            ["env"] = new JsonObject
            {
                ["DOTNET_VERSION"] = Environment.Version.ToString(),
                ["OS"] = RuntimeInformation.OSDescription,
                ["CPU_COUNT"] = Environment.ProcessorCount,
            },
            ["parameters"] = NonSecretSettings.Of(settings.Sections),
            ["authentication_key_id"] = usesTokenFile ? TokenIdFromFile(orchestrator.TokenFile!) : orchestrator.TokenId,
            ["authentication_method"] = usesTokenFile ? "token_file" : "token",
            ["backend_url"] = BackendUrlOf(orchestrator.BaseUrl),
        };
        if (state == Degraded)
        {
            health.Insert(health.IndexOf("state") + 1, "degraded_reason", degradedReason);
        }

        return Task.FromResult<JsonNode?>(health);
    }

    /// <summary>Degraded is a kind of running: a shutdown under way says so instead.</summary>
    private static string StateOf(AgentState state, string? degradedReason) =>
        state == AgentState.Running && degradedReason is not null ? Degraded : state.ToWire();

    private static string? TokenIdFromFile(string path) => TokenFile.TryRead(path, out var id, out _, out _) ? id : null;

    private static string? BackendUrlOf(string? baseUrl) =>
        baseUrl is null ? null : SecretNames.WithoutUrlCredentials(baseUrl);

    /// <summary>The informational version <c>1.2.3+commit</c> split into version and build; "dev" without a commit.</summary>
    private static (string Version, string Build) ReleaseOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? (informational, "dev") : (informational[..plus], informational[(plus + 1)..]);
    }

    /// <summary>Now less the process's start time, both on the system's wall clock read together; never negative.</summary>
    private static TimeSpan AgeOfThisProcess()
    {
        using var process = Process.GetCurrentProcess();
        var age = DateTime.UtcNow - process.StartTime.ToUniversalTime();
        return age > TimeSpan.Zero ? age : TimeSpan.Zero;
    }
}
