using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EgressAgent.Emulator;

/// <summary>The orchestrator endpoints of the wire contract (E1–E6 and /stream), as seen by the agent.</summary>
internal sealed class AgentEndpoints
{
    /// <summary>Status recorded when the client went away before it was answered (nginx's convention).</summary>
    public const int ClientClosedRequest = 499;

    private const string IdHeader = "x-mcd-id";
    private const string TokenHeader = "x-mcd-token";
    private const string InstanceHeader = "x-mcd-agent-instance-id";
    private const string LastEventIdHeader = "Last-Event-ID";

    private static readonly TimeSpan StreamOverlapGrace = TimeSpan.FromMilliseconds(200);

    private readonly EmulatorState state;

    public AgentEndpoints(EmulatorState state) => this.state = state;

    public async Task HandleAsync(HttpContext context, PathString agentPath)
    {
        var request = context.Request;
        var response = context.Response;
        var sequence = state.Recorder.NextSequence();
        var arrivedAt = state.Time.GetUtcNow();
        string? body = null;
        var recorded = 0;

        // Recorded when the status is sent rather than on completion, so a /stream request is
        // visible (and awaitable) as soon as the agent holds an open stream.
        void Record(int statusCode)
        {
            if (Interlocked.Exchange(ref recorded, 1) != 0)
            {
                return;
            }

            var entry = new RecordedRequest(
                arrivedAt,
                request.Method,
                agentPath.HasValue ? agentPath.Value! : "/",
                request.PathBase.Add(request.Path).Value ?? "/",
                request.QueryString.Value ?? "",
                HttpJson.Header(request, IdHeader),
                HttpJson.Header(request, TokenHeader),
                HttpJson.Header(request, InstanceHeader),
                HttpJson.Header(request, LastEventIdHeader),
                request.ContentType,
                HttpJson.Header(request, "Accept"),
                body,
                statusCode);
            state.Recorder.AddRequest(sequence, entry);
            state.Log(string.Create(CultureInfo.InvariantCulture, $"{entry.Method} {entry.PathWithPrefix}{entry.Query} -> {statusCode}"));
        }

        response.OnStarting(() =>
        {
            Record(response.StatusCode);
            return Task.CompletedTask;
        });

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, state.ShuttingDown);
        var cancellationToken = linked.Token;
        try
        {
            body = await HttpJson.ReadBodyAsync(request, cancellationToken);
            if (!state.Credentials.IsAccepted(HttpJson.Header(request, IdHeader), HttpJson.Header(request, TokenHeader)))
            {
                await HttpJson.WriteErrorAsync(response, StatusCodes.Status401Unauthorized, "invalid credentials", cancellationToken);
                return;
            }

            if (state.Faults.Unavailable)
            {
                // An outage as a load balancer in front of a dead orchestrator shows it: 503, no Retry-After.
                await HttpJson.WriteErrorAsync(response, StatusCodes.Status503ServiceUnavailable, "orchestrator unavailable", cancellationToken);
                return;
            }

            await DispatchAsync(context, body, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Client gone or emulator stopping: nobody is left to answer.
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (BadHttpRequestException exception) when (!response.HasStarted)
        {
            response.StatusCode = exception.StatusCode;
        }
        catch (Exception exception) when (!response.HasStarted && !cancellationToken.IsCancellationRequested)
        {
            // The server has no logger: without this an emulator bug would be a bare 500.
            state.Log("emulator failure on " + request.Method + " " + request.Path.Value + ": " + exception);
            response.StatusCode = StatusCodes.Status500InternalServerError;
        }
        finally
        {
            if (!response.HasStarted && context.RequestAborted.IsCancellationRequested)
            {
                Record(ClientClosedRequest);
            }
            else if (!response.HasStarted && state.ShuttingDown.IsCancellationRequested)
            {
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                Record(response.StatusCode);
            }
            else
            {
                Record(response.StatusCode);
            }
        }
    }

    private Task DispatchAsync(HttpContext context, string? body, CancellationToken cancellationToken)
    {
        var segments = RequestTarget.Segments(context, state.PrefixSegmentCount);
        var (method, handler) = segments switch
        {
            ["stream"] => (HttpMethods.Get, (Func<Task>)(() => StreamAsync(context, cancellationToken))),
            ["api", "v1", "agent", "operation"] => (HttpMethods.Get, () => FetchOperationAsync(context, cancellationToken)),
            ["api", "v1", "agent", "operations", var id, "result"] when id.Length > 0 =>
                (HttpMethods.Put, () => ReceiveResultAsync(context, id, body, cancellationToken)),
            ["api", "v1", "agent", "operations", var id, "request"] when id.Length > 0 =>
                (HttpMethods.Get, () => DownloadOperationAsync(context, id, cancellationToken)),
            ["api", "v1", "agent", "heartbeat"] or ["api", "v1", "agent", "shutdown"] =>
                (HttpMethods.Post, () => HttpJson.WriteAsync(context.Response, StatusCodes.Status200OK, HttpJson.EmptyObject, cancellationToken)),
            ["api", "v1", "test", "ping"] => (HttpMethods.Get, () => PingAsync(context, cancellationToken)),
            _ => ((string?)null, (Func<Task>?)null),
        };

        if (handler is null)
        {
            return HttpJson.WriteErrorAsync(context.Response, StatusCodes.Status404NotFound, "not found", cancellationToken);
        }

        if (!string.Equals(context.Request.Method, method, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.Allow = method;
            return HttpJson.WriteErrorAsync(context.Response, StatusCodes.Status405MethodNotAllowed, "method not allowed", cancellationToken);
        }

        return handler();
    }

    // E1
    private async Task FetchOperationAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var overrideStatus = state.Faults.OperationFetchStatusOverride;
        if (overrideStatus != 0)
        {
            await WriteAsync(context.Response, Scripted(overrideStatus), cancellationToken);
            return;
        }

        if (state.Queue.TryDequeue(HttpJson.Header(context.Request, InstanceHeader), carriedBy: null, out var operation))
        {
            await HttpJson.WriteAsync(context.Response, StatusCodes.Status200OK, operation.EnvelopeJson, cancellationToken);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
    }

    // E2
    private async Task ReceiveResultAsync(HttpContext context, string operationId, string? body, CancellationToken cancellationToken)
    {
        var instanceId = HttpJson.Header(context.Request, InstanceHeader);
        var result = DetachResult(body);

        var delay = state.Faults.ResultResponseDelay;
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, state.Time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The agent gave up waiting (its timeout), or the emulator is stopping and will
                // answer 503: either way the result was not delivered.
                var status = context.RequestAborted.IsCancellationRequested ? ClientClosedRequest : StatusCodes.Status503ServiceUnavailable;
                state.Recorder.AddResult(new RecordedResult(state.Time.GetUtcNow(), operationId, instanceId, result, status, body ?? ""));
                throw;
            }
        }

        Answer answer;
        if (state.Faults.TryGetResultFailure(operationId, out var failure))
        {
            answer = Scripted(failure);
        }
        else if (state.Faults.TryTakeScriptedResultStatus(out var scripted))
        {
            answer = IsSuccess(scripted) ? Accept(scripted, instanceId, operationId) : Scripted(scripted);
        }
        else if (result is null)
        {
            answer = new Answer(StatusCodes.Status400BadRequest, HttpJson.Error("the body must be a JSON object with a \"result\" object"));
        }
        else
        {
            answer = Accept(StatusCodes.Status200OK, instanceId, operationId);
        }

        var recorded = new RecordedResult(state.Time.GetUtcNow(), operationId, instanceId, result, answer.StatusCode, body ?? "");
        if (IsSuccess(answer.StatusCode))
        {
            try
            {
                recorded = await FollowLocationAsync(recorded, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // As for a delayed answer: the agent went away (or the emulator is stopping) while
                // the location was fetched, so the result was not delivered.
                var status = context.RequestAborted.IsCancellationRequested ? ClientClosedRequest : StatusCodes.Status503ServiceUnavailable;
                state.Recorder.AddResult(recorded with { StatusCode = status });
                throw;
            }
        }

        // Recorded before the answer leaves: whoever holds the answer finds the result recorded.
        state.Recorder.AddResult(recorded);
        await WriteAsync(context.Response, answer, cancellationToken);
    }

    // Before the answer, as part of accepting the result: the agent publishes a location only once
    // its object is complete (docs/protocol.md §13), so it must be there to fetch now.
    private async Task<RecordedResult> FollowLocationAsync(RecordedResult recorded, CancellationToken cancellationToken)
    {
        var options = state.Options;
        if (!options.FetchResultLocations || ResultLocationFetcher.LocationOf(recorded.Result) is not { } location)
        {
            return recorded;
        }

        var compressed = recorded.Result![ResultLocationFetcher.CompressedKey] is JsonValue flag && flag.TryGetValue<bool>(out var isCompressed) && isCompressed;
        var (body, error) = await state.Locations.FetchAsync(location, compressed, options.ResultLocationTimeout, options.ResultLocationMaxBytes, cancellationToken);
        state.Log($"result {recorded.OperationId}: location fetched{(compressed ? " (gzip)" : "")}: {error ?? "ok"}");
        return recorded with { LocationBody = body, LocationError = error };
    }

    private Answer Accept(int statusCode, string? instanceId, string operationId)
    {
        if (statusCode == StatusCodes.Status204NoContent || state.Faults.EmptyResultBody)
        {
            return new Answer(statusCode, Json: null);
        }

        if (state.Options.PiggybackNextOperation
            && state.Queue.TryDequeue(instanceId, carriedBy: operationId, out var next))
        {
            return new Answer(statusCode, "{\"next_operation\":" + next.EnvelopeJson + "}");
        }

        return new Answer(statusCode, HttpJson.EmptyObject);
    }

    // E5
    private Task DownloadOperationAsync(HttpContext context, string operationId, CancellationToken cancellationToken) =>
        state.Queue.TryGetOversizedBody(operationId, out var operation)
            ? HttpJson.WriteAsync(context.Response, StatusCodes.Status200OK, operation, cancellationToken)
            : HttpJson.WriteErrorAsync(context.Response, StatusCodes.Status404NotFound, "no oversized operation with this id", cancellationToken);

    // E6
    private static Task PingAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var traceId = context.Request.Query.TryGetValue("trace_id", out var values) ? values.ToString() : null;
        var answer = new JsonObject { ["ok"] = true, ["trace_id"] = traceId }.ToJsonString();
        return HttpJson.WriteAsync(context.Response, StatusCodes.Status200OK, answer, cancellationToken);
    }

    private async Task StreamAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var response = context.Response;
        var instanceId = HttpJson.Header(request, InstanceHeader);
        var silent = state.Faults.StreamSilent;

        await state.Hub.AwaitPredecessorsAsync(instanceId, StreamOverlapGrace, cancellationToken);

        // Registered before the headers go out: once the agent (or a test) sees the 200,
        // every event sent from then on reaches this stream.
        var connection = state.Hub.Open(instanceId, HttpJson.Header(request, LastEventIdHeader), silent);
        try
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await response.StartAsync(cancellationToken);
            await response.Body.FlushAsync(cancellationToken);

            var frames = connection.Frames;
            if (silent)
            {
                await frames.Completion.WaitAsync(cancellationToken);
                return;
            }

            while (await frames.WaitToReadAsync(cancellationToken))
            {
                while (frames.TryRead(out var frame))
                {
                    await response.WriteAsync(frame, cancellationToken);
                }

                await response.Body.FlushAsync(cancellationToken);
            }
        }
        finally
        {
            state.Hub.Close(connection);
        }
    }

    // Retry-After: 0 keeps retry tests fast while still exercising the agent's Retry-After path.
    private static Answer Scripted(int statusCode) =>
        new(
            statusCode,
            statusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified ? null : HttpJson.Error("scripted"),
            RetryAfterZero: statusCode is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests);

    private static async Task WriteAsync(HttpResponse response, Answer answer, CancellationToken cancellationToken)
    {
        if (answer.RetryAfterZero)
        {
            response.Headers.RetryAfter = "0";
        }

        if (answer.Json is null)
        {
            response.StatusCode = answer.StatusCode;
            if (answer.StatusCode is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified))
            {
                response.ContentLength = 0;
            }

            return;
        }

        await HttpJson.WriteAsync(response, answer.StatusCode, answer.Json, cancellationToken);
    }

    private static JsonObject? DetachResult(string? body)
    {
        if (HttpJson.ParseObject(body) is not { } envelope
            || !envelope.TryGetPropertyValue("result", out var node)
            || node is not JsonObject result)
        {
            return null;
        }

        // Detached so a test can put the recorded result into another JSON tree.
        envelope.Remove("result");
        return result;
    }

    private static bool IsSuccess(int statusCode) => statusCode is >= 200 and < 300;

    private readonly record struct Answer(int StatusCode, string? Json, bool RetryAfterZero = false);
}
