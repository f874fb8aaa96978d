namespace EgressAgent.Application.Connectors;

/// <summary>
/// A self-hosted secret could not be read; <see cref="Exception.Message"/> is the reason of
/// <c>Failed to read self-hosted credentials: &lt;reason&gt;</c>, naming the variable or path but no secret value.
/// </summary>
public sealed class SelfHostedCredentialsException : Exception
{
    public SelfHostedCredentialsException()
        : this("the secret could not be read")
    {
    }

    public SelfHostedCredentialsException(string reason)
        : base(reason)
    {
    }

    public SelfHostedCredentialsException(string reason, Exception innerException)
        : base(reason, innerException)
    {
    }
}
