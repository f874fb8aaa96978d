using System.Data.Common;
using EgressAgent.Application.Connectors;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// A cached client of a SQL connection type: the driver's pooled data source. Each operation's
/// session takes a connection from it, prepares it (<see cref="SqlConnectionType.BeginSessionAsync(DbConnection, ConnectionRequest, TimeSpan?, CancellationToken)"/>:
/// read-only transaction, server-side timeout, role checks) and gives it back when it ends.
/// </summary>
internal sealed class SqlDataSourceClient(SqlConnectionType type, ConnectionRequest request, DbDataSource dataSource) : IDataSourceClient
{
    public Task<IDataSourceSession> OpenSessionAsync(SessionLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return SqlThreads.RunAsync(type.Blocking, () => OpenAsync(limits, cancellationToken));
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    private async Task<IDataSourceSession> OpenAsync(SessionLimits limits, CancellationToken cancellationToken)
    {
        var commandTimeout = Smaller(type.QueryTimeout(request), limits.OperationTimeout);
        DbConnection connection;
        try
        {
            connection = await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (SqlFailures.IsDriverError(ex, cancellationToken))
        {
            // No secret: drivers do not quote passwords, and any credential value is redacted anyway.
            throw SqlFailures.From(type, request, ex, ConnectorErrorKinds.ConnectionError);
        }

        try
        {
            var transaction = await type.BeginSessionAsync(connection, request, commandTimeout, cancellationToken);
            return new SqlSession(type, request, connection, transaction, commandTimeout);
        }
        catch (Exception ex) when (SqlFailures.IsDriverError(ex, cancellationToken))
        {
            await connection.DisposeAsync();
            throw SqlFailures.From(type, request, ex);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static TimeSpan? Smaller(TimeSpan? a, TimeSpan? b) => (a, b) switch
    {
        (null, _) => b,
        (_, null) => a,
        _ => a < b ? a : b,
    };
}
