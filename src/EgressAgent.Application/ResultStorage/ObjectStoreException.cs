namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// The object store refused or failed a request. The message names the provider, the step and the
/// store's error code or status, never a credential, signature or SAS token.
/// </summary>
public class ObjectStoreException : Exception
{
    public ObjectStoreException()
        : this("The object store failed")
    {
    }

    public ObjectStoreException(string message)
        : base(message)
    {
    }

    public ObjectStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
