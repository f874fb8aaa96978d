namespace EgressAgent.Application.ResultStorage;

/// <summary>No object at the key (docs/protocol.md §13: <c>NotFound</c>).</summary>
public sealed class ObjectNotFoundException : ObjectStoreException
{
    public ObjectNotFoundException()
        : this("The object does not exist")
    {
    }

    public ObjectNotFoundException(string message)
        : base(message)
    {
    }

    public ObjectNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
