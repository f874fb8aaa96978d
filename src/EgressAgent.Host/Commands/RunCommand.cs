using EgressAgent.Application.Configuration;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Lifecycle;
using EgressAgent.Host.Composition;
using EgressAgent.Host.Management;
using EgressAgent.Infrastructure.Secrets;
using EgressAgent.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Commands;

/// <summary><c>run</c>: the agent until a graceful shutdown; exit codes of docs/protocol.md §8.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> configurationArgs)
    {
        var configuration = new ConfigurationBuilder().AddAgentSources(configurationArgs).Build();
        var problems = AgentConfiguration.Validate(configuration);
        if (problems.Count > 0)
        {
            return ConfigurationProblems.Report(problems);
        }

        var baseUrl = configuration.GetSection(OrchestratorOptions.SectionName).Get<OrchestratorOptions>()?.BaseUrl;
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new();

        // Before the host exists: nothing may read or delete in the data directory (the outbox
        // lists and cleans it when constructed) until this process owns it. Held until exit.
        using var dataLock = DataDirectoryLock.TryAcquire(storage.DataDirectory, out var lockProblem);
        if (dataLock is null)
        {
            return ConfigurationProblems.Report([lockProblem]);
        }

        var builder = AgentHost.CreateBuilder(configuration);
        builder.Services.AddSingleton(dataLock); // the outbox checks it before writing (docs/adr/0020)
        using var host = builder.Build();
        // Resolved before RunAsync, which disposes the container.
        var shutdown = host.Services.GetRequiredService<IShutdownCoordinator>();
        var loops = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        // Before the host starts: a URL that cannot be bound is exit 2 with nothing contacted
        // (docs/protocol.md §11). It stops when RunAsync disposes the container, after the shutdown sequence.
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
        var crashed = loops.FirstOrDefault(l => l.ExecuteTask?.IsFaulted == true);
        if (crashed is not null)
        {
            var message = crashed.ExecuteTask!.Exception!.GetBaseException().Message;
            await Console.Error.WriteLineAsync($"Fatal: {crashed.GetType().Name} failed: {SecretNames.WithoutUrlCredentials(message, baseUrl)}");
            return ExitCodes.Fatal;
        }

        return shutdown.ExitCode;
    }
}
