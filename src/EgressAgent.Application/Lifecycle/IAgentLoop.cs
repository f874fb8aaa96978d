namespace EgressAgent.Application.Lifecycle;

/// <summary>
/// One of the agent's long-running loops (publisher, workers, heartbeat, poller, stream, …). The
/// application layer registers each as an <see cref="IAgentLoop"/>; the host runs every one for
/// the life of the process and stops the process when one fails (docs/architecture.md). The loops
/// end on the pipeline's own tokens, driven by the shutdown sequence; <c>stoppingToken</c> only
/// ends them once that sequence is over.
/// </summary>
public interface IAgentLoop
{
    /// <summary>The loop's name in logs and in liveness (one of the <c>AgentLoops</c> names).</summary>
    string Name { get; }

    Task RunAsync(CancellationToken stoppingToken);
}
