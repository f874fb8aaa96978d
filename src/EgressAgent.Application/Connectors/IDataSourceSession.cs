namespace EgressAgent.Application.Connectors;

/// <summary>
/// One operation's open connection: the <c>_client</c> target of its commands program. Disposed
/// when the program ends, whatever happened (a read-only transaction is rolled back there).
/// </summary>
public interface IDataSourceSession : IProgramObject, IAsyncDisposable;
