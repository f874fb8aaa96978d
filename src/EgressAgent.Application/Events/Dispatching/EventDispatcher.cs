using System.Collections.Concurrent;
using System.Text.Json;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// Raw stream message → typed event → handlers, one DI scope per message. Whatever the server
/// sends and whatever a handler throws, this logs and returns: the one catch-all of the event path,
/// so no single message stops the stream loop (docs/protocol.md §4, §10; docs/adr/0051).
/// </summary>
public sealed partial class EventDispatcher(EventCatalog catalog, IServiceScopeFactory scopes, ILogger<EventDispatcher> logger) : IEventDispatcher
{
    private const int LoggedDataChars = 200;
    private const int MaxUnknownTypesRemembered = 256;
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 32 };
    private readonly ConcurrentDictionary<string, bool> _unknownTypesSeen = new(StringComparer.Ordinal);

    /// <summary>Returns true when the message reached its handlers and none of them failed.</summary>
    public async Task<bool> DispatchAsync(StreamMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await DispatchCoreAsync(message, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            LogDispatchFailed(logger, message.EventId, ex.GetType().Name, ex.Message);
            return false;
        }
    }

    private async Task<bool> DispatchCoreAsync(StreamMessage message, CancellationToken cancellationToken)
    {
        if (message.Data.Length > EventJson.MaxMessageChars)
        {
            LogSkipped(logger, "message larger than the accepted size", message.EventId, Excerpt(message.Data));
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message.Data, ParseOptions);
        }
        catch (JsonException)
        {
            LogSkipped(logger, "data is not JSON", message.EventId, Excerpt(message.Data));
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                LogSkipped(logger, "data is not a JSON object", message.EventId, Excerpt(message.Data));
                return false;
            }

            // A name that is not valid Unicode ("\udc00") would make lookups and the deserialiser
            // throw, losing e.g. a goodbye over an unrelated field; such values keep their own
            // rule (an event field that is not valid Unicode is not a string, docs/protocol.md §10).
            root = WellFormedJson.RepairNames(root);
            if (!root.TryGetProperty("type", out var typeProperty) || typeProperty.ValueKind != JsonValueKind.String)
            {
                LogSkipped(logger, "no string 'type' field", message.EventId, Excerpt(message.Data));
                return false;
            }

            if (!WellFormedJson.IsValidString(typeProperty))
            {
                LogSkipped(logger, "'type' is not valid Unicode", message.EventId, Excerpt(message.Data));
                return false;
            }

            var type = typeProperty.GetString()!;
            if (catalog.Find(type) is not { } binding)
            {
                // Bounded: a hostile server inventing types cannot grow this set without end.
                if (_unknownTypesSeen.Count < MaxUnknownTypesRemembered && _unknownTypesSeen.TryAdd(Excerpt(type), true))
                {
                    LogUnknownType(logger, Excerpt(type));
                }

                return false;
            }

            await using var scope = scopes.CreateAsyncScope();
            var rejection = await binding.DispatchAsync(root, scope.ServiceProvider, cancellationToken);
            if (rejection is not null)
            {
                LogSkipped(logger, $"invalid '{type}' event: {rejection}", message.EventId, Excerpt(message.Data));
                return false;
            }

            return true;
        }
    }

    private static string Excerpt(string data) => WellFormedText.Excerpt(data, LoggedDataChars);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a stream message ({Why}); id {EventId}: {Data}")]
    private static partial void LogSkipped(ILogger logger, string why, string? eventId, string data);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring stream events of unknown type '{Type}' (logged once per type)")]
    private static partial void LogUnknownType(ILogger logger, string type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling stream message {EventId} failed ({ErrorType}: {Error}); it is skipped and the stream goes on")]
    private static partial void LogDispatchFailed(ILogger logger, string? eventId, string errorType, string error);
}
