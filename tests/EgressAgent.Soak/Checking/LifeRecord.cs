namespace EgressAgent.Soak.Checking;

/// <summary>One agent process from start to exit.</summary>
/// <param name="Slot">The agent position (its own proxy, data directory and tmpfs) it ran in.</param>
/// <param name="Pid">Its process id.</param>
/// <param name="InstanceId">Its <c>x-mcd-agent-instance-id</c> (§2), from its start-up line or from the proxy; null if it never said.</param>
/// <param name="End">How it ended.</param>
/// <param name="ExitCode">Its exit code; null while running. A SIGKILL shows as 137.</param>
/// <param name="StopSeconds">From the SIGTERM to the exit, as the kernel saw it; null when not stopped by SIGTERM.</param>
/// <param name="SentShutdownNotice">Whether it sent E4 (seen by its proxy, whatever the answer).</param>
/// <param name="SpokeToOrchestrator">Whether its proxy saw any request from it.</param>
internal sealed record LifeRecord(int Slot, int Pid, string? InstanceId, LifeEnd End, int? ExitCode, double? StopSeconds, bool SentShutdownNotice, bool SpokeToOrchestrator = true);
