namespace EgressAgent.Application.Connectors;

/// <summary>
/// A client for one data source, cached per connection type and credentials hash
/// (docs/protocol.md §12.4) and shared by concurrent operations: it holds what the driver pools.
/// Disposing it closes its pool; the cache does that after any error and on shutdown.
/// </summary>
public interface IDataSourceClient : IAsyncDisposable
{
    /// <summary>
    /// Opens what one operation's program works on: the <c>_client</c> of its context (a connection,
    /// read-only when asked). A data source that cannot be reached throws
    /// <see cref="Execution.OperationFailedException"/> with kind <see cref="ConnectorErrorKinds.ConnectionError"/>.
    /// </summary>
    Task<IDataSourceSession> OpenSessionAsync(SessionLimits limits, CancellationToken cancellationToken);
}
