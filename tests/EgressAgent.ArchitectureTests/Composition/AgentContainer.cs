using EgressAgent.Host.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.ArchitectureTests.Composition;

/// <summary>
/// The agent's real host, composed as the run command composes it, with validation on build
/// and scope checks. It is built, never started: no loop runs and nothing touches the network
/// (the base URL is the discard port on loopback anyway).
/// </summary>
public sealed class AgentContainer : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("egress-arch-").FullName;

    public AgentContainer()
    {
        try
        {
            Host = Build(_dataDirectory);
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor threw.
            Directory.Delete(_dataDirectory, recursive: true);
            throw;
        }
    }

    public IHost Host { get; }

    public static IHost Build(string dataDirectory)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["EgressAgent:Orchestrator:BaseUrl"] = "http://127.0.0.1:9/",
                ["EgressAgent:Orchestrator:TokenId"] = "arch-test-id",
                ["EgressAgent:Orchestrator:TokenSecret"] = "arch-test-secret",
                ["EgressAgent:Storage:DataDirectory"] = dataDirectory,
            })
            .Build();
        var problems = AgentConfiguration.Validate(configuration);
        Assert.True(problems.Count == 0, "The test configuration is invalid: " + string.Join("; ", problems));

        var builder = AgentHost.CreateBuilder(configuration);
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions
        {
            ValidateOnBuild = true,
            ValidateScopes = true,
        }));
        return builder.Build();
    }

    public void Dispose()
    {
        Host.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
