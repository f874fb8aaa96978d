using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Lifecycle;

namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>deploy/systemd/egress-agent.service against the product's own defaults (docs/protocol.md §8, §11).</summary>
public sealed class SystemdUnitTests
{
    private readonly SystemdUnit _unit = SystemdUnit.Load(DeployFiles.SystemdUnit);

    [Fact]
    public void The_unit_is_a_notify_service_with_a_watchdog_started_as_the_host_assembly_with_the_run_command()
    {
        Assert.Equal("notify", _unit.Get("Service", "Type"));
        Assert.True(SystemdUnit.TimeSpanOf(_unit.Get("Service", "WatchdogSec") ?? "0") > TimeSpan.Zero, "WatchdogSec must be set");
        var command = (_unit.Get("Service", "ExecStart") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, command.Length);
        Assert.Equal("dotnet", Path.GetFileName(command[0]));
        Assert.Equal(ProductFacts.HostAssemblyFile, Path.GetFileName(command[1]));
        Assert.True(Path.IsPathRooted(command[1]), "the assembly path must be absolute");
        Assert.Equal("run", command[2]);
    }

    [Fact]
    public void The_stop_timeout_covers_the_shutdown_budget_plus_three_seconds_and_the_stop_signal_starts_the_drain()
    {
        var environment = _unit.Environment;
        var budget = ProductFacts.Bind<ShutdownOptions>(environment).Budget;
        Assert.True(environment.ContainsKey("EgressAgent__Shutdown__Budget"), "the unit states the budget its stop timeout was sized for");
        Assert.Equal(ProductFacts.Defaults<ShutdownOptions>().Budget, budget);

        var stopTimeout = SystemdUnit.TimeSpanOf(_unit.Get("Service", "TimeoutStopSec") ?? "0");
        Assert.True(stopTimeout >= budget + TimeSpan.FromSeconds(3), $"TimeoutStopSec {stopTimeout} < budget {budget} + 3 s");
        Assert.Equal("SIGTERM", _unit.Get("Service", "KillSignal") ?? "SIGTERM");
    }

    [Fact]
    public void Invalid_configuration_and_rejected_credentials_are_not_restarted()
    {
        var prevented = (_unit.Get("Service", "RestartPreventExitStatus") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains(ExitCodes.InvalidConfiguration.ToString(System.Globalization.CultureInfo.InvariantCulture), prevented);
        Assert.Contains(ExitCodes.CredentialsRejected.ToString(System.Globalization.CultureInfo.InvariantCulture), prevented);
        Assert.DoesNotContain(ExitCodes.Fatal.ToString(System.Globalization.CultureInfo.InvariantCulture), prevented);
        Assert.Equal("on-failure", _unit.Get("Service", "Restart"));
    }

    [Fact]
    public void The_outbox_lives_in_the_state_directory_of_a_dynamic_user_and_everything_else_is_read_only()
    {
        Assert.Equal("yes", _unit.Get("Service", "DynamicUser"));
        Assert.Equal("strict", _unit.Get("Service", "ProtectSystem"));
        Assert.Equal("yes", _unit.Get("Service", "NoNewPrivileges"));
        Assert.Equal("yes", _unit.Get("Service", "PrivateTmp")); // large SQL results spill to the temp directory
        Assert.Equal(string.Empty, _unit.Get("Service", "CapabilityBoundingSet"));

        var stateDirectory = _unit.Get("Service", "StateDirectory");
        Assert.False(string.IsNullOrEmpty(stateDirectory));
        var dataDirectory = ProductFacts.Bind<StorageOptions>(_unit.Environment).DataDirectory;
        Assert.NotEqual(ProductFacts.Defaults<StorageOptions>().DataDirectory, dataDirectory); // relative to a read-only working directory otherwise
        Assert.Equal($"/var/lib/{stateDirectory}", dataDirectory);
    }

    [Fact]
    public void The_token_file_is_the_credential_systemd_loads_for_the_service()
    {
        var credential = (_unit.Get("Service", "LoadCredential") ?? string.Empty).Split(':', 2);
        Assert.Equal(2, credential.Length);

        Assert.Equal($"%d/{credential[0]}", ProductFacts.Bind<OrchestratorOptions>(_unit.Environment).TokenFile);
    }

    [Fact]
    public void Every_agent_setting_in_the_unit_is_one_the_agent_reads()
    {
        var settings = _unit.Environment.Keys.Where(k => k.StartsWith("EgressAgent__", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(settings);
        Assert.All(settings, key => Assert.True(ProductFacts.IsKnownSetting(key), $"{key} is not a setting of the agent"));
    }

    [ToolFact("systemd-analyze")]
    public async Task Systemd_accepts_the_unit_without_a_warning()
    {
        using var copy = new Harness.TempDirectory();
        var path = Path.Combine(copy.Path, Path.GetFileName(DeployFiles.SystemdUnit));
        File.WriteAllText(path, WithRunnableDotnet(File.ReadAllText(DeployFiles.SystemdUnit)));

        var (exitCode, output, error) = await ExternalTool.RunAsync("systemd-analyze", "verify", path);

        Assert.True(exitCode == 0 && error.Length == 0, $"systemd-analyze verify: exit {exitCode}\n{output}{error}");
    }

    /// <summary>
    /// verify also checks that ExecStart's program exists. Where dotnet is not at the unit's
    /// path (a developer machine), the copy points at the dotnet running the tests; the rest is
    /// the unit as shipped.
    /// </summary>
    private string WithRunnableDotnet(string text)
    {
        var dotnet = (_unit.Get("Service", "ExecStart") ?? string.Empty).Split(' ')[0];
        if (File.Exists(dotnet))
        {
            return text;
        }

        var here = ExternalTool.Find("dotnet") ?? throw new InvalidOperationException("No dotnet on PATH.");
        return text.Replace($"ExecStart={dotnet} ", $"ExecStart={here} ", StringComparison.Ordinal);
    }
}
