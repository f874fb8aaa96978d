namespace EgressAgent.Domain.Lifecycle;

/// <summary>What asked the agent to stop; decides whether running work is drained and the exit code.</summary>
public enum ShutdownTrigger
{
    /// <summary>The orchestrator's <c>goodbye</c>: it already let this instance go, so nothing is drained.</summary>
    Goodbye,

    /// <summary>SIGTERM or SIGINT.</summary>
    Signal,

    /// <summary>The host stopping for any other reason.</summary>
    HostStop,

    /// <summary>Every request was rejected for AuthFailureExitAfter: exit 3 without notifying.</summary>
    CredentialsRejected,
}
