namespace EgressAgent.Infrastructure.Network;

/// <summary>The host of a check did not resolve; <see cref="Exception.Message"/> is the resolver's reason.</summary>
internal sealed class HostLookupException : Exception
{
    public HostLookupException()
    {
    }

    public HostLookupException(string reason)
        : base(reason)
    {
    }

    public HostLookupException(string reason, Exception innerException)
        : base(reason, innerException)
    {
    }
}
