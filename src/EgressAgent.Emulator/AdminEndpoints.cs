using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace EgressAgent.Emulator;

/// <summary>Control API for the <c>emulator</c> command and manual use. No credential: it listens on loopback only.</summary>
internal sealed class AdminEndpoints
{
    private readonly OrchestratorEmulator emulator;
    private readonly EmulatorState state;

    public AdminEndpoints(OrchestratorEmulator emulator, EmulatorState state)
    {
        this.emulator = emulator;
        this.state = state;
    }

    public async Task HandleAsync(HttpContext context, PathString adminPath)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, state.ShuttingDown);
        var cancellationToken = linked.Token;
        try
        {
            await DispatchAsync(context, adminPath.Value ?? "", cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            context.Response.StatusCode = exception.StatusCode;
        }
        catch (Exception exception) when (!context.Response.HasStarted && !cancellationToken.IsCancellationRequested)
        {
            // The server has no logger: without this an emulator bug would be a bare 500.
            state.Log("emulator failure on admin " + context.Request.Method + " " + adminPath.Value + ": " + exception);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
    }

    private async Task DispatchAsync(HttpContext context, string path, CancellationToken cancellationToken)
    {
        var response = context.Response;
        var (method, handler) = path switch
        {
            "/operations" => (HttpMethods.Post, (Func<Task>)(() => EnqueueAsync(context, cancellationToken))),
            "/events" => (HttpMethods.Post, () => SendEventAsync(context, cancellationToken)),
            "/goodbye" => (HttpMethods.Post, () => GoodbyeAsync(context, cancellationToken)),
            "/requests" => (HttpMethods.Get, () => WriteArrayAsync(response, emulator.Requests.Select(ToJson), cancellationToken)),
            "/results" => (HttpMethods.Get, () => WriteArrayAsync(response, emulator.Results.Select(ToJson), cancellationToken)),
            "/handed-out" => (HttpMethods.Get, () => WriteArrayAsync(response, emulator.HandedOut.Select(ToJson), cancellationToken)),
            _ => ((string?)null, (Func<Task>?)null),
        };

        if (handler is null)
        {
            await HttpJson.WriteErrorAsync(response, StatusCodes.Status404NotFound, "not found", cancellationToken);
            return;
        }

        if (!string.Equals(context.Request.Method, method, StringComparison.OrdinalIgnoreCase))
        {
            response.Headers.Allow = method;
            await HttpJson.WriteErrorAsync(response, StatusCodes.Status405MethodNotAllowed, "method not allowed", cancellationToken);
            return;
        }

        await handler();
    }

    private async Task EnqueueAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var body = HttpJson.ParseObject(await HttpJson.ReadBodyAsync(context.Request, cancellationToken));
        if (body is null
            || !TryGetString(body, "path", out var path)
            || !body.TryGetPropertyValue("operation", out var operationNode) || operationNode is not JsonObject operation
            || !TryGetOptionalString(body, "operation_id", out var operationId)
            || !TryGetOptionalBool(body, "oversized", out var oversized)
            || (body["credentials"] is { } credentialsNode && credentialsNode is not JsonObject))
        {
            await HttpJson.WriteErrorAsync(
                context.Response,
                StatusCodes.Status400BadRequest,
                "expected {\"path\": string, \"operation\": object, \"operation_id\"?: string, \"oversized\"?: bool, \"credentials\"?: object}",
                cancellationToken);
            return;
        }

        var id = (oversized, body["credentials"]) switch
        {
            (_, JsonObject credentials) => emulator.EnqueueWithCredentials(path, operation, credentials, operationId, oversized),
            (true, _) => emulator.EnqueueOversized(path, operation, operationId),
            _ => emulator.Enqueue(path, operation, operationId),
        };
        await HttpJson.WriteAsync(context.Response, StatusCodes.Status200OK, new JsonObject { ["operation_id"] = id }.ToJsonString(), cancellationToken);
    }

    private async Task SendEventAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var body = HttpJson.ParseObject(await HttpJson.ReadBodyAsync(context.Request, cancellationToken));
        string? data = null;
        string? instanceId = null;
        string? eventId = null;
        if (body is not null
            && TryGetOptionalString(body, "instance_id", out instanceId)
            && TryGetEventId(body, out eventId))
        {
            if (body.TryGetPropertyValue("event", out var eventNode) && eventNode is JsonObject eventObject)
            {
                data = eventObject.ToJsonString();
            }
            else if (TryGetString(body, "data", out var raw))
            {
                data = raw;
            }
        }

        if (data is null)
        {
            await HttpJson.WriteErrorAsync(
                context.Response,
                StatusCodes.Status400BadRequest,
                "expected {\"event\": object} or {\"data\": string}, optional \"instance_id\": string, \"id\": string or number",
                cancellationToken);
            return;
        }

        emulator.SendRawData(data, eventId, instanceId);
        await HttpJson.WriteAsync(context.Response, StatusCodes.Status202Accepted, HttpJson.EmptyObject, cancellationToken);
    }

    private Task GoodbyeAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var reason = context.Request.Query.TryGetValue("reason", out var values) ? values.ToString() : "unknown";
        emulator.SendRawData(new JsonObject { ["type"] = "goodbye", ["reason"] = reason }.ToJsonString());
        return HttpJson.WriteAsync(context.Response, StatusCodes.Status202Accepted, HttpJson.EmptyObject, cancellationToken);
    }

    private static Task WriteArrayAsync(HttpResponse response, IEnumerable<JsonNode> items, CancellationToken cancellationToken) =>
        HttpJson.WriteAsync(response, StatusCodes.Status200OK, new JsonArray([.. items]).ToJsonString(), cancellationToken);

    private static JsonNode ToJson(RecordedRequest request) => new JsonObject
    {
        ["at"] = request.At.ToString("O", CultureInfo.InvariantCulture),
        ["method"] = request.Method,
        ["path"] = request.Path,
        ["path_with_prefix"] = request.PathWithPrefix,
        ["query"] = request.Query,
        ["token_id"] = request.TokenId,

        // The secret is only said to be there: the admin API may end up in a shared log.
        ["token_present"] = request.Token is not null,
        ["instance_id"] = request.InstanceId,
        ["last_event_id"] = request.LastEventId,
        ["content_type"] = request.ContentType,
        ["accept"] = request.Accept,
        ["body"] = request.Body,
        ["status_code"] = request.StatusCode,
    };

    private static JsonNode ToJson(RecordedResult result)
    {
        var json = new JsonObject
        {
            ["at"] = result.At.ToString("O", CultureInfo.InvariantCulture),
            ["operation_id"] = result.OperationId,
            ["instance_id"] = result.InstanceId,
            ["status_code"] = result.StatusCode,
            ["result"] = result.Result?.DeepClone(),
            ["raw_body"] = result.Result is null ? result.RawBody : null,
        };

        // Only for results that named a location: every other result keeps its shape.
        if (result.LocationBody is not null || result.LocationError is not null)
        {
            json["location_body"] = result.LocationBody?.DeepClone();
            json["location_error"] = result.LocationError;
        }

        return json;
    }

    private static JsonNode ToJson(HandedOutOperation operation) => new JsonObject
    {
        ["at"] = operation.At.ToString("O", CultureInfo.InvariantCulture),
        ["operation_id"] = operation.OperationId,
        ["instance_id"] = operation.InstanceId,
        ["via_piggyback"] = operation.ViaPiggyback,
        ["carried_by"] = operation.CarriedBy,
    };

    private static bool TryGetString(JsonObject body, string name, out string value)
    {
        if (body.TryGetPropertyValue(name, out var node) && node is JsonValue json && json.TryGetValue(out string? text))
        {
            value = text;
            return true;
        }

        value = "";
        return false;
    }

    private static bool TryGetOptionalString(JsonObject body, string name, out string? value)
    {
        value = null;
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        if (TryGetString(body, name, out var text))
        {
            value = text;
            return true;
        }

        return false;
    }

    private static bool TryGetOptionalBool(JsonObject body, string name, out bool value)
    {
        value = false;
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        if (node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return false;
        }

        value = node.GetValue<bool>();
        return true;
    }

    private static bool TryGetEventId(JsonObject body, out string? eventId)
    {
        eventId = null;
        if (!body.TryGetPropertyValue("id", out var node) || node is null)
        {
            return true;
        }

        switch (node.GetValueKind())
        {
            case JsonValueKind.String:
                eventId = node.GetValue<string>();
                return true;
            case JsonValueKind.Number:
                eventId = node.ToJsonString();
                return true;
            default:
                return false;
        }
    }
}
