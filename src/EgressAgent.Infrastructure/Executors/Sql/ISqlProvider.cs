namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// One database engine (<c>Connections:&lt;name&gt;:Provider</c>): opens sessions the database
/// itself keeps read-only, and names its own errors.
/// </summary>
internal interface ISqlProvider
{
    /// <summary>The provider's configuration name.</summary>
    string Name { get; }

    /// <summary>
    /// True when the driver runs statements synchronously on the calling thread, whatever its
    /// async methods say: the executor then runs the query on a thread of its own, so long queries
    /// on every worker never starve the thread pool the timers (heartbeats) run on.
    /// </summary>
    bool Blocking { get; }

    Task<ISqlSession> OpenAsync(string connectionString, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The error result for the database's own errors; null for anything else.</summary>
    SqlError? Describe(Exception exception);

    /// <summary>True when the database (or its driver) gave up because the query ran out of time.</summary>
    bool IsTimeout(Exception exception);
}
