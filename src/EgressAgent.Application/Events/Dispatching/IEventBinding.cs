using System.Text.Json;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>Decodes, validates and publishes one event type; the generic keeps the hot path free of reflection.</summary>
public interface IEventBinding
{
    Type EventType { get; }

    /// <summary>Returns null when published, else why the event was rejected.</summary>
    Task<string?> DispatchAsync(JsonElement data, IServiceProvider services, CancellationToken cancellationToken);
}
