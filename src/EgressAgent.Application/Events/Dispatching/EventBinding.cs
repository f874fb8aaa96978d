using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace EgressAgent.Application.Events.Dispatching;

internal sealed class EventBinding<TEvent> : IEventBinding
    where TEvent : class, IOrchestratorEvent
{
    // Generated metadata (EventJsonContext); the catalog checked it exists before creating this binding.
    private readonly JsonTypeInfo<TEvent> _typeInfo = (JsonTypeInfo<TEvent>)EventJson.Options.GetTypeInfo(typeof(TEvent));

    public Type EventType => typeof(TEvent);

    public async Task<string?> DispatchAsync(JsonElement data, IServiceProvider services, CancellationToken cancellationToken)
    {
        TEvent? decoded;
        try
        {
            decoded = data.Deserialize(_typeInfo);
        }
        catch (JsonException ex)
        {
            return $"fields do not match {typeof(TEvent).Name}: {ex.Message}";
        }
        catch (InvalidOperationException)
        {
            // A string value that is not valid Unicode ("\ud800") where a field is read.
            return $"a field of {typeof(TEvent).Name} holds text that is not valid Unicode";
        }

        if (decoded is null)
        {
            return "event decoded to null";
        }

        if (services.GetService<IValidator<TEvent>>() is { } validator)
        {
            var validation = await validator.ValidateAsync(decoded, cancellationToken);
            if (!validation.IsValid)
            {
                return string.Join("; ", validation.Errors.Select(e => e.ErrorMessage));
            }
        }

        await services.GetRequiredService<IMediator>().Publish(decoded, cancellationToken);
        return null;
    }
}
