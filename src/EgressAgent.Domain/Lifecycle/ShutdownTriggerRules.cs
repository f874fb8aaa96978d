namespace EgressAgent.Domain.Lifecycle;

public static class ShutdownTriggerRules
{
    public static bool Drains(this ShutdownTrigger trigger) =>
        trigger is ShutdownTrigger.Signal or ShutdownTrigger.HostStop;

    public static bool NotifiesOrchestrator(this ShutdownTrigger trigger) =>
        trigger != ShutdownTrigger.CredentialsRejected;

    public static int ExitCode(this ShutdownTrigger trigger) =>
        trigger == ShutdownTrigger.CredentialsRejected ? ExitCodes.CredentialsRejected : ExitCodes.Graceful;
}
