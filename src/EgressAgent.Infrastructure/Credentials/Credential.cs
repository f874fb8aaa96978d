namespace EgressAgent.Infrastructure.Credentials;

/// <summary>The credential for one request.</summary>
internal sealed record Credential(string Id, string Secret)
{
    /// <summary>Never prints the secret, whatever logs or formats this record.</summary>
    public override string ToString() => $"Credential {{ Id = {Id} }}";
}
