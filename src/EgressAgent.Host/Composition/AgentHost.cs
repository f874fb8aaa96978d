using EgressAgent.Application;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Lifecycle;
using EgressAgent.Domain.Text;
using EgressAgent.Host.Commands;
using EgressAgent.Host.Lifetime;
using EgressAgent.Host.Management;
using EgressAgent.Host.Workers;
using EgressAgent.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Host.Composition;

/// <summary>
/// The composition root: the steps of <c>run</c> in order (<see cref="RunAsync"/>) and the layers
/// one agent is made of (<see cref="CreateBuilder"/>). <c>check</c> and <c>demo</c> build the same
/// host (docs/architecture.md "Composition").
/// </summary>
internal static class AgentHost
{
    /// <summary><c>run</c>: the agent until a graceful shutdown; exit codes of docs/protocol.md §8.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> configurationArgs)
    {
        // 0. SIGTERM/SIGINT kept from here on: one that comes while the host is being built starts the
        //    shutdown once it runs, instead of ending the process with the runtime's 143.
        using var signals = SignalLatch.Listen();

        // 1. Configuration from every source; every problem at once, exit 2, nothing contacted.
        var configuration = new ConfigurationBuilder().AddAgentSources(configurationArgs).Build();
        var problems = AgentConfiguration.Validate(configuration);
        if (problems.Count > 0)
        {
            return ConfigurationProblems.Report(problems);
        }

        // 2. The agent: every layer on one host, not built yet.
        var builder = CreateBuilder(configuration);
        builder.Services.AddSingleton(signals); // the lifetime takes it over (not disposed by the container)

        // 3. The data directory, owned by this process before anything reads or deletes in it
        //    (the outbox lists and cleans it when constructed); held until exit (docs/adr/0020).
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new();
        using var dataLock = builder.Services.TryLockDataDirectory(storage.DataDirectory, out var lockProblem);
        if (dataLock is null)
        {
            return ConfigurationProblems.Report([lockProblem]);
        }

        using var host = builder.Build();
        // Resolved before RunAsync, which disposes the container.
        var shutdown = host.Services.GetRequiredService<IShutdownCoordinator>();
        var loops = host.Services.GetRequiredService<AgentLoopsService>();

        // 4. The management endpoint, bound before the loops start: a URL that cannot be bound is
        //    exit 2 with nothing contacted (docs/protocol.md §11). It stops with the container.
        if (host.Services.GetService<ManagementServer>() is { } management)
        {
            try
            {
                await management.StartAsync(CancellationToken.None);
            }
            catch (ManagementBindException ex)
            {
                return ConfigurationProblems.Report([ex.Message]);
            }
        }

        // 5. Run until the shutdown sequence is over; the exit code says how it ended.
        var baseUrl = configuration.GetSection(OrchestratorOptions.SectionName).Get<OrchestratorOptions>()?.BaseUrl;
        try
        {
            await host.RunAsync();
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            await Console.Error.WriteLineAsync($"Fatal: {ex.GetType().Name}: {SecretNames.WithoutUrlCredentials(ex.Message, baseUrl)}");
            return ExitCodes.Fatal;
        }

        // A loop that died stopped the host: the shutdown still ran, but the exit is not graceful.
        if (loops.Failed is { } failed)
        {
            await Console.Error.WriteLineAsync($"Fatal: the {failed.Loop} loop failed: {SecretNames.WithoutUrlCredentials(failed.Error.Message, baseUrl)}");
            return ExitCodes.Fatal;
        }

        return shutdown.ExitCode;
    }

    /// <summary>The agent's host from validated configuration: logging, then the layers.</summary>
    public static HostApplicationBuilder CreateBuilder(IConfiguration configuration, LogLevel? minimumLevel = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        builder.Logging.AddAgentConsole();
        builder.Logging.AddAgentLogBuffer();
        if (minimumLevel is { } level)
        {
            builder.Logging.SetMinimumLevel(level);
            builder.Logging.AddFilter((_, _, l) => l >= level);
        }

        builder.Services
            .AddAgentOptions()                      // one options class per section (docs/adr/0028)
            .AddApplication()                       // events, pipeline, shutdown, the loops
            .AddInfrastructure()                    // orchestrator client, stream, outbox, executors, connectors
            .AddAgentHosting(builder.Configuration); // lifetime, management, the hosted loops
        return builder;
    }
}
