using System.Data.Common;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// One operation's connection, the <c>_client</c> of its program: <c>cursor</c> hands out a
/// cursor, <c>close</c> ends the session. Ending it (or disposing it, which the program always
/// does) rolls back its transaction — nothing a read-only session did survives — undoes the
/// type's session set-up and returns the connection to the pool.
/// </summary>
internal sealed class SqlSession(
    SqlConnectionType type,
    ConnectionRequest request,
    DbConnection connection,
    DbTransaction? transaction,
    TimeSpan? commandTimeout) : IDataSourceSession
{
    private int _ended;

    public SqlConnectionType Type => type;

    public ConnectionRequest Request => request;

    public DbConnection Connection => connection;

    public DbTransaction? Transaction => transaction;

    /// <summary>The bound on each command: the type's query timeout or <c>operation.timeout</c>, the smaller; null for none.</summary>
    public TimeSpan? CommandTimeout => commandTimeout;

    public bool Ended => Volatile.Read(ref _ended) != 0;

    public async ValueTask<object?> InvokeAsync(string method, ProgramArguments arguments, CancellationToken cancellationToken)
    {
        switch (method)
        {
            case "cursor":
                ThrowIfEnded();
                return new SqlCursor(this);
            case "close":
                await DisposeAsync();
                return null;
            default:
                throw new ProgramMethodNotFoundException(method);
        }
    }

    public void ThrowIfEnded()
    {
        if (Ended)
        {
            throw new OperationFailedException("connection already closed", ConnectorErrorKinds.DatabaseError) { ExceptionText = "InterfaceError: connection already closed" };
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            await SqlThreads.RunAsync(type.Blocking, EndAsync);
        }
    }

    private async Task EndAsync()
    {
        try
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync(); // rolls back
            }

            type.EndSession(connection);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // A broken or cancelled connection cannot roll back; closing it below ends the
            // transaction on the server, and the pool does not keep a broken connection.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
