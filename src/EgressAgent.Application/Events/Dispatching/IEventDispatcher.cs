using EgressAgent.Application.Ports;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>Raw stream message to handlers; the stream loop's one dependency on dispatching.</summary>
public interface IEventDispatcher
{
    /// <summary>Returns true when the message reached its handlers.</summary>
    Task<bool> DispatchAsync(StreamMessage message, CancellationToken cancellationToken);
}
