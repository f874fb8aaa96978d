using EgressAgent.Domain.Lifecycle;

namespace EgressAgent.Application.Lifecycle;

/// <summary>
/// The single owner of the shutdown sequence (docs/protocol.md §7). Any trigger, from any thread, may
/// call it any number of times; the sequence runs once.
/// </summary>
public interface IShutdownCoordinator
{
    AgentState State { get; }

    /// <summary>The process exit code once the sequence has run.</summary>
    int ExitCode { get; }

    /// <summary>Completes when the sequence is over.</summary>
    Task Completion { get; }

    /// <summary>Starts the sequence (if nobody has) and returns without waiting for it.</summary>
    void RequestShutdown(ShutdownTrigger trigger, string reason);

    /// <summary>Starts the sequence (if nobody has) and waits for it to finish.</summary>
    Task ShutdownAsync(ShutdownTrigger trigger, string reason);

    /// <summary>A second signal: stop draining, cancel what runs, finish now. Starts the sequence if needed.</summary>
    void Escalate(string reason);

    /// <summary>
    /// Cancelled the moment the sequence starts, before its first step: <c>/readyz</c> fails and
    /// systemd hears <c>STOPPING=1</c> from then on (docs/protocol.md §11).
    /// </summary>
    CancellationToken Stopping { get; }
}
