using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.ArchitectureTests.Composition;
using EgressAgent.ArchitectureTests.Support;
using EgressAgent.Host.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetArchTest.Rules;

namespace EgressAgent.ArchitectureTests;

/// <summary>
/// Connection types and self-hosted secret sources are found by scanning (docs/connectors.md):
/// nothing outside constructs them, a new one is one file, and no two types claim one name.
/// </summary>
public sealed class ConnectionTypeTests(AgentContainer container) : IClassFixture<AgentContainer>
{
    [Fact]
    public void Connection_types_are_internal_and_sealed_or_abstract()
    {
        var types = Selection.NonEmpty(ConnectionTypeClasses(), "IConnectionType implementations");
        Selection.NoViolations(
            types.Where(t => t.IsPublic || t.IsNestedPublic || !(t.IsSealed || t.IsAbstract)).Select(t => t.FullName!),
            "Connection types must be internal, and sealed or abstract");
    }

    [Fact]
    public void Secret_sources_are_sealed_and_not_public()
    {
        var sources = Selection.NonEmpty(
            Types.InAssemblies(ProductAssemblies.All).That().ImplementInterface(typeof(ISelfHostedSecretSource)).And().AreClasses(),
            "ISelfHostedSecretSource implementations");
        Selection.Holds(sources.Should().BeSealed().And().NotBePublic(), "Secret sources must be internal sealed");
    }

    /// <summary>
    /// The real container holds exactly the concrete connection types of the product (none is
    /// missed by the scan) and their names are unique.
    /// </summary>
    [Fact]
    public void The_container_holds_every_concrete_connection_type_and_their_names_are_unique()
    {
        var concrete = Selection.NonEmpty(ConnectionTypeClasses().Where(t => !t.IsAbstract), "concrete connection types")
            .Select(t => t.FullName!).Order(StringComparer.Ordinal).ToList();
        var registered = container.Host.Services.GetServices<IConnectionType>().ToList();

        Assert.Equal(concrete, registered.Select(t => t.GetType().FullName!).Order(StringComparer.Ordinal));
        Selection.NoViolations(
            registered.SelectMany(t => t.Names.Select(n => (Name: n, Type: t.GetType().Name)))
                .GroupBy(p => p.Name, StringComparer.Ordinal)
                .Where(g => g.Count() > 1)
                .Select(g => $"{g.Key}: {string.Join(", ", g.Select(p => p.Type))}"),
            "Two connection types claim one name");
        Assert.All(registered, t => Assert.NotEmpty(t.Names));
    }

    [Fact]
    public void The_container_holds_both_secret_sources_and_the_connector_fallback()
    {
        var sources = Selection.NonEmpty(container.Host.Services.GetServices<ISelfHostedSecretSource>(), "registered secret sources");
        Assert.Equal(["env_var", "file"], sources.Select(s => s.Type).Order(StringComparer.Ordinal));
        Assert.NotNull(container.Host.Services.GetRequiredService<ConnectorProgramExecutor>());
        Assert.Contains(
            container.Host.Services.GetServices<IOperationExecutor>(),
            e => e.Route.Key == "/api/v1/agent/connectors/types");
    }

    [Fact]
    public void Connectors_settings_bind_with_per_type_ReadOnly()
    {
        using var services = Options(new()
        {
            ["EgressAgent:Connectors:ClientCacheExpiration"] = "00:00:00",
            ["EgressAgent:Connectors:SecretCacheExpiration"] = "00:10:00",
            ["EgressAgent:Connectors:postgres:ReadOnly"] = "false",
            ["EgressAgent:Connectors:MySQL:ReadOnly"] = "True",
        });

        var options = services.GetRequiredService<IOptions<ConnectorsOptions>>().Value;

        Assert.Equal((TimeSpan.Zero, TimeSpan.FromMinutes(10)), (options.ClientCacheExpiration, options.SecretCacheExpiration));
        Assert.False(options.IsReadOnly("postgres"));
        Assert.True(options.IsReadOnly("mysql"));
        Assert.True(options.IsReadOnly("sqlite"));
    }

    [Fact]
    public void Unreadable_or_out_of_range_connectors_settings_are_all_listed()
    {
        var problems = AgentConfiguration.Validate(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EgressAgent:Orchestrator:BaseUrl"] = "http://127.0.0.1:9/",
            ["EgressAgent:Orchestrator:TokenId"] = "id",
            ["EgressAgent:Orchestrator:TokenSecret"] = "secret",
            ["EgressAgent:Connectors:ClientCacheExpiration"] = "-00:00:01",
            ["EgressAgent:Connectors:SecretCacheExpiration"] = "soon",
            ["EgressAgent:Connectors:postgres:ReadOnly"] = "maybe",
        }).Build());

        Assert.Contains("EgressAgent:Connectors:ClientCacheExpiration must be a duration from 00:00:00 (no cache) to 30 days.", problems);
        Assert.Contains("EgressAgent:Connectors:SecretCacheExpiration has an unreadable value 'soon' (durations look like 00:00:30).", problems);
        Assert.Contains("EgressAgent:Connectors:postgres:ReadOnly has an unreadable value 'maybe' (true or false).", problems);
    }

    /// <summary>Every class that is a connection type, directly or through a base such as <c>SqlConnectionType</c>.</summary>
    private static IEnumerable<Type> ConnectionTypeClasses() =>
        ProductAssemblies.All.SelectMany(a => a.GetTypes()).Where(t => t.IsClass && typeof(IConnectionType).IsAssignableFrom(t));

    private static ServiceProvider Options(Dictionary<string, string?> values) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build())
            .AddAgentOptions()
            .BuildServiceProvider();
}
