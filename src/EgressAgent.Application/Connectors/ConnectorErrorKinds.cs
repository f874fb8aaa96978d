namespace EgressAgent.Application.Connectors;

/// <summary>The <c>__mcd_error_type__</c> values of data-source errors (docs/protocol.md §12.3).</summary>
public static class ConnectorErrorKinds
{
    public const string QueryCanceled = "QueryCanceled";
    public const string InsufficientPrivilege = "InsufficientPrivilege";
    public const string DatabaseError = "DatabaseError";
    public const string ConnectionError = "ConnectionError";
    public const string CredentialsError = "CredentialsError";
    public const string UnsupportedConnectionType = "UnsupportedConnectionType";
    public const string ProgramError = "ProgramError";

    /// <summary>The <c>storage</c> connection type found no object at the key (docs/protocol.md §13).</summary>
    public const string NotFound = "NotFound";

    /// <summary>The object store refused or failed a request of the <c>storage</c> connection type.</summary>
    public const string StorageError = "StorageError";
}
