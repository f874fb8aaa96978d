using System.Text.Json.Nodes;
using EgressAgent.Application;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure;
using EgressAgent.Infrastructure.Executors.Connectors;
using Microsoft.Extensions.DependencyInjection;

namespace EgressAgent.ArchitectureTests.NewConnectionType;

/// <summary>
/// A new connection type is one new file (docs/protocol.md §12.4): the agent's own composition,
/// given the assembly that holds <see cref="GreetingConnectionType"/> as it is given extra
/// executor assemblies, lists the type and runs a program against it — nothing else was edited.
/// </summary>
public sealed class NewConnectionTypeTests
{
    [Fact]
    public async Task A_connection_type_in_one_file_is_found_listed_and_run()
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddOptions<ConnectorsOptions>().Services
            .AddApplication()
            .AddInfrastructure(typeof(GreetingConnectionType).Assembly)
            .BuildServiceProvider();

        // The route's executor as the container would build it (building every executor needs the whole host).
        var types = new ConnectorTypesExecutor(services.GetServices<IConnectionType>());
        var listed = await types.ExecuteAsync(Context("/api/v1/agent/connectors/types", new JsonObject()), CancellationToken.None);
        Assert.Contains("greeting", listed!["types"]!.AsArray().Select(t => t!.GetValue<string>()));

        var program = new JsonObject { ["commands"] = new JsonArray(new JsonObject { ["method"] = "greet" }) };
        var context = Context("/api/v1/agent/execute/greeting/say_hello", program) with
        {
            Credentials = new OperationCredentials(System.Text.Json.JsonDocument.Parse("""{"connect_args": {"name": "Ada"}}""").RootElement),
        };
        var result = await services.GetRequiredService<ConnectorProgramExecutor>().ExecuteAsync(context, CancellationToken.None);

        Assert.Equal("\"hello, Ada\"", result!.ToJsonString());
    }

    private static OperationContext Context(string path, JsonObject operation) => new("op-1", path, "t-1", operation);
}
