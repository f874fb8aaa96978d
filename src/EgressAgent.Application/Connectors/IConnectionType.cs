namespace EgressAgent.Application.Connectors;

/// <summary>
/// One connection type of docs/protocol.md §12.4 (<c>postgres</c>, <c>mysql</c> and its alias
/// <c>mariadb</c>, …). Implementations live one per file in Infrastructure's connectors folder and
/// are found by scanning: a new type is one new file (docs/connectors.md).
/// </summary>
public interface IConnectionType
{
    /// <summary>The wire names this type serves, the first being its own name; unique across types.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>
    /// A client for these credentials. Opens nothing (the first session does), so it is cheap and
    /// cached by the caller; throw <see cref="Execution.OperationFailedException"/> with kind
    /// <see cref="ConnectorErrorKinds.CredentialsError"/> for credentials it cannot use.
    /// </summary>
    IDataSourceClient CreateClient(ConnectionRequest request);
}
