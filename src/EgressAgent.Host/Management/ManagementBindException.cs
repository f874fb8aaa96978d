namespace EgressAgent.Host.Management;

/// <summary>A management URL that cannot be listened on: a configuration error, exit 2 (docs/protocol.md §11).</summary>
internal sealed class ManagementBindException : Exception
{
    public ManagementBindException()
    {
    }

    public ManagementBindException(string message)
        : base(message)
    {
    }

    public ManagementBindException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
