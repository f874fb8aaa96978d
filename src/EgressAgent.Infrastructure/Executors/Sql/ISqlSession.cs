using System.Data.Common;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>One read-only connection for one query; disposing it disposes the reader too.</summary>
internal interface ISqlSession : IAsyncDisposable
{
    /// <summary>Starts the query with its parameters bound; <paramref name="cancellationToken"/> interrupts it. The session owns the reader.</summary>
    Task<DbDataReader> ExecuteAsync(SqlQueryRequest request, CancellationToken cancellationToken);

    /// <summary>How to read each column's values, chosen once per query from the column types.</summary>
    IReadOnlyList<Func<DbDataReader, int, object?>> ValueReadersFor(DbDataReader reader);

    /// <summary>The rows were cut at the limit: stop the database producing the rest. The rows read stay valid whatever closing then says.</summary>
    void Abandon();
}
