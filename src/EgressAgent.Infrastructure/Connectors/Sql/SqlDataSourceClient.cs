using System.Data.Common;
using EgressAgent.Application.Connectors;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>A cached client of a SQL connection type: the driver's pooled data source. (Sessions and cursors: in progress.)</summary>
internal sealed class SqlDataSourceClient(SqlConnectionType type, ConnectionRequest request, DbDataSource dataSource) : IDataSourceClient
{
    public Task<IDataSourceSession> OpenSessionAsync(SessionLimits limits, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{type.Names[0]} sessions are not built yet ({request.TypeName}, {limits}).");

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
