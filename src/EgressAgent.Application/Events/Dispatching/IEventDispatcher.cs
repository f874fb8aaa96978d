namespace EgressAgent.Application.Events.Dispatching;

/// <summary>Raw stream message to handlers; the stream loop's one dependency on dispatching.</summary>
public interface IEventDispatcher
{
    /// <summary>
    /// Returns true when the message reached its handlers and none failed. Never throws but for
    /// cancellation: whatever one message does wrong is logged and skipped here (docs/adr/0051).
    /// </summary>
    Task<bool> DispatchAsync(StreamMessage message, CancellationToken cancellationToken);
}
