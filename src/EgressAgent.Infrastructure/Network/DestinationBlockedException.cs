namespace EgressAgent.Infrastructure.Network;

/// <summary>The guard refused a destination before anything connected to it; <see cref="Exception.Message"/> says why, without the host.</summary>
internal sealed class DestinationBlockedException : Exception
{
    public DestinationBlockedException()
    {
    }

    public DestinationBlockedException(string reason)
        : base(reason)
    {
    }

    public DestinationBlockedException(string reason, Exception innerException)
        : base(reason, innerException)
    {
    }
}
