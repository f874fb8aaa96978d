namespace EgressAgent.Domain.Lifecycle;

/// <summary>Process exit codes (docs/protocol.md §8).</summary>
public static class ExitCodes
{
    public const int Graceful = 0;
    public const int Fatal = 1;
    public const int InvalidConfiguration = 2;
    public const int CredentialsRejected = 3;
}
