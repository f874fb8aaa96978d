namespace EgressAgent.Emulator;

/// <summary>The credential the orchestrator accepts right now; swapped atomically on rotation.</summary>
internal sealed class CredentialGate
{
    private Credential accepted;
    private volatile bool rejectAll;

    public CredentialGate(string tokenId, string tokenSecret) => accepted = new Credential(tokenId, tokenSecret);

    public bool RejectAll
    {
        get => rejectAll;
        set => rejectAll = value;
    }

    public void Accept(string tokenId, string tokenSecret)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        ArgumentNullException.ThrowIfNull(tokenSecret);
        Volatile.Write(ref accepted, new Credential(tokenId, tokenSecret));
    }

    public bool IsAccepted(string? tokenId, string? tokenSecret)
    {
        if (rejectAll)
        {
            return false;
        }

        var current = Volatile.Read(ref accepted);
        return string.Equals(tokenId, current.TokenId, StringComparison.Ordinal)
            && string.Equals(tokenSecret, current.TokenSecret, StringComparison.Ordinal);
    }

    private sealed record Credential(string TokenId, string TokenSecret);
}
