using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Executors.Connectors;
using Moq;

namespace EgressAgent.Infrastructure.Tests.Executors.Connectors;

public sealed class ConnectorTypesExecutorTests
{
    [Fact]
    public async Task Every_name_of_every_type_sorted()
    {
        var mysql = new Mock<IConnectionType>();
        mysql.SetupGet(t => t.Names).Returns(["mysql", "mariadb"]);
        var postgres = new Mock<IConnectionType>();
        postgres.SetupGet(t => t.Names).Returns(["postgres"]);
        var executor = new ConnectorTypesExecutor([postgres.Object, mysql.Object]);

        var result = await executor.ExecuteAsync(ExecutorContexts.For("/api/v1/agent/connectors/types", "{}"), CancellationToken.None);

        Assert.Equal("""{"types":["mariadb","mysql","postgres"]}""", result!.ToJsonString());
        Assert.Equal("/api/v1/agent/connectors/types", executor.Route.Key);
        Assert.False(executor.Route.IsExecute);
    }

    [Fact]
    public async Task No_types_is_an_empty_list()
    {
        var result = await new ConnectorTypesExecutor([]).ExecuteAsync(ExecutorContexts.For("/api/v1/agent/connectors/types", "{}"), CancellationToken.None);

        Assert.Equal("""{"types":[]}""", result!.ToJsonString());
    }
}
