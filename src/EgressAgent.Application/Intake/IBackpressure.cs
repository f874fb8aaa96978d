namespace EgressAgent.Application.Intake;

/// <summary>Whether the agent is full, and the way to prove it is alive while it is (docs/protocol.md §6.2).</summary>
public interface IBackpressure
{
    bool IsSaturated { get; }

    /// <summary>Sends E3 now if saturated, without waiting for it.</summary>
    void RequestHeartbeat();
}
