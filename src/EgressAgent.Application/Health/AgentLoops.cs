using EgressAgent.Application.Orchestrator;

namespace EgressAgent.Application.Health;

/// <summary>
/// The loops that report progress, and the bound of one step of each: the step's own timeout
/// (docs/protocol.md §3, <c>Orchestrator:Timeouts</c>) plus <see cref="Slack"/>. A step that outlives it is a loop that stopped
/// honouring its own timeout — the kind of hang a restart cures (docs/adr/0024).
/// </summary>
public static class AgentLoops
{
    public const string Poller = "poller";
    public const string Heartbeat = "heartbeat";
    public const string Publisher = "publisher";
    public const string Stream = "stream";
    public const string Workers = "workers";
    public const string Storage = "storage";
    public const string IdleTrim = "idle-trim";
    public const string CredentialWatchdog = "credential-watchdog";

    /// <summary>Beyond a step's own timeout: timers that fire late on a loaded machine are not a hang.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(30);

    /// <summary>One E1 (30 s by default).</summary>
    public static TimeSpan FetchBound(EndpointTimeoutOptions timeouts) => Timeouts(timeouts).FetchOperation + Slack;

    /// <summary>One E3 (10 s by default).</summary>
    public static TimeSpan HeartbeatBound(EndpointTimeoutOptions timeouts) => Timeouts(timeouts).Heartbeat + Slack;

    /// <summary>One E2 attempt (60 s by default).</summary>
    public static TimeSpan PublishBound(EndpointTimeoutOptions timeouts) => Timeouts(timeouts).PublishResult + Slack;

    /// <summary>Handling one stream message: handlers only set signals or start the shutdown sequence.</summary>
    public static readonly TimeSpan DispatchBound = Slack;

    /// <summary>One stream connect: abandoned after <c>Events:IdleTimeout</c> without response headers.</summary>
    public static TimeSpan StreamConnectBound(TimeSpan idleTimeout) => idleTimeout + Slack;

    /// <summary>One operation with an <c>operation.timeout</c>: cancelled then, so it ends soon after.</summary>
    public static TimeSpan OperationBound(TimeSpan timeout) => timeout + Slack;

    /// <summary>
    /// One store of a result (the outbox's write and fsync, docs/adr/0043). A store has no timeout
    /// of its own — a write cut half-way would only leave a temporary file — so this is the slack
    /// alone: a healthy disk stores a result capped at 256 MiB in memory within a few seconds, and a
    /// store that has not returned after 30 s is a volume that stopped answering, which a restart
    /// (on another node, or after the volume is back) cures. A constant: no deployment has asked
    /// for another value.
    /// </summary>
    public static readonly TimeSpan StoreBound = Slack;

    private static EndpointTimeoutOptions Timeouts(EndpointTimeoutOptions timeouts) =>
        timeouts ?? throw new ArgumentNullException(nameof(timeouts));
}
