namespace EgressAgent.Infrastructure.Credentials;

/// <summary>No usable credential: the request is not sent rather than sent with a placeholder.</summary>
internal sealed class CredentialUnavailableException : Exception
{
    public CredentialUnavailableException()
    {
    }

    public CredentialUnavailableException(string message)
        : base(message)
    {
    }

    public CredentialUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
