using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Emulator;

/// <summary>
/// An in-process orchestrator speaking the orchestrator side of the wire contract
/// (docs/protocol.md), with scripting hooks and recordings for tests.
/// </summary>
public sealed class OrchestratorEmulator : IAsyncDisposable
{
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(5);

    /// <summary>For <see cref="SendEvent(object, string?, string?)"/> only, made there on first use (it is the code allowed reflection).</summary>
    private static JsonSerializerOptions? reflectionJson;

    private readonly EmulatorState state;
    private WebApplication? app;
    private int disposed;

    private OrchestratorEmulator(EmulatorState state)
    {
        this.state = state;
        BaseUrl = AdminUrl = new Uri("http://127.0.0.1/");
    }

    /// <summary>Raised for every result PUT (also failed ones) just before it is answered, on the request's thread.</summary>
    public event Action<RecordedResult>? ResultReceived
    {
        add => state.Recorder.ResultReceived += value;
        remove => state.Recorder.ResultReceived -= value;
    }

    /// <summary>Raised for every operation handed out (by E1 or as <c>next_operation</c>), on the request's thread; unlike <see cref="HandedOut"/> it forgets nothing.</summary>
    public event Action<HandedOutOperation>? OperationHandedOut
    {
        add => state.Queue.HandedOutRaised += value;
        remove => state.Queue.HandedOutRaised -= value;
    }

    /// <summary>Gets the base URL to configure the agent with: <c>http://host:port{PathPrefix}/</c>.</summary>
    public Uri BaseUrl { get; private set; }

    /// <summary>Gets the admin API URL: <c>http://host:port/admin/</c>.</summary>
    public Uri AdminUrl { get; private set; }

    public int QueuedCount => state.Queue.Count;

    public IReadOnlyList<HandedOutOperation> HandedOut => state.Queue.HandedOut;

    /// <summary>Gets or sets a value indicating whether every agent request, /stream included, is answered 401.</summary>
    public bool RejectAllCredentials
    {
        get => state.Credentials.RejectAll;
        set => state.Credentials.RejectAll = value;
    }

    /// <summary>
    /// Gets or sets a value indicating whether the orchestrator is down: every agent request, /stream
    /// included, is answered 503 without <c>Retry-After</c>, and turning it on ends the open streams
    /// (so they reconnect into the outage). Credentials are still checked first.
    /// </summary>
    public bool Unavailable
    {
        get => state.Faults.Unavailable;
        set
        {
            state.Faults.Unavailable = value;
            if (value)
            {
                state.Hub.CloseAll();
            }
        }
    }

    /// <summary>Gets or sets the status E1 answers instead of its normal behaviour; 0 means normal.</summary>
    public int OperationFetchStatusOverride
    {
        get => state.Faults.OperationFetchStatusOverride;
        set => state.Faults.OperationFetchStatusOverride = value;
    }

    /// <summary>Gets or sets the delay before E2 is answered. A client giving up meanwhile is recorded as 499.</summary>
    public TimeSpan ResultResponseDelay
    {
        get => state.Faults.ResultResponseDelay;
        set => state.Faults.ResultResponseDelay = value;
    }

    /// <summary>Gets or sets a value indicating whether E2 is answered 200 with an empty body (valid per contract).</summary>
    public bool EmptyResultBody
    {
        get => state.Faults.EmptyResultBody;
        set => state.Faults.EmptyResultBody = value;
    }

    /// <summary>Gets or sets a value indicating whether new streams get their headers and then nothing at all.</summary>
    public bool StreamSilent
    {
        get => state.Faults.StreamSilent;
        set => state.Faults.StreamSilent = value;
    }

    /// <summary>Gets or sets a value indicating whether events get an incrementing SSE <c>id:</c>.</summary>
    public bool AssignEventIds
    {
        get => state.Hub.AssignEventIds;
        set => state.Hub.AssignEventIds = value;
    }

    public int OpenStreamCount => state.Hub.OpenCount;

    /// <summary>Gets the highest number of streams one instance id ever held open at once.</summary>
    public int MaxConcurrentStreamsSeen => state.Hub.MaxConcurrentSeen;

    /// <summary>Gets every request that reached the agent API (under the prefix), in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => state.Recorder.Requests;

    /// <summary>Gets every result PUT, whatever it was answered, in the order answered (recorded before the answer is sent).</summary>
    public IReadOnlyList<RecordedResult> Results => state.Recorder.Results;

    public static async Task<OrchestratorEmulator> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.TokenId);
        ArgumentNullException.ThrowIfNull(options.TokenSecret);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Port, IPEndPoint.MinPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, IPEndPoint.MaxPort);
        var address = ParseHost(options.Host);
        var prefix = NormalizePrefix(options.PathPrefix);
        if (prefix.StartsWithSegments("/admin", StringComparison.Ordinal))
        {
            throw new ArgumentException("PathPrefix cannot lie under /admin, where the admin API lives.", nameof(options));
        }

        var state = new EmulatorState(options, prefix);
        var emulator = new OrchestratorEmulator(state);

        // The empty builder reads no appsettings.json, environment or Kestrel configuration
        // section and adds no logging provider: when embedded in the agent's process, nothing of
        // the agent's configuration leaks into the emulator and the emulator prints nothing.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OrchestratorEmulator).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AllowSynchronousIO = false;
            kestrel.AddServerHeader = false;
            // Results can be large (a million-row query is tens of MiB); the contract limits them
            // with response_size_limit_bytes, not with the server's default 30 MB body cap.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(address, options.Port);
        });
        builder.Services.AddSingleton<IHostLifetime, DetachedHostLifetime>();

        var application = builder.Build();
        var dispatcher = new RequestDispatcher(state, new AgentEndpoints(state), new AdminEndpoints(emulator, state));
        application.Run(dispatcher.HandleAsync);
        try
        {
            await application.StartAsync(cancellationToken);
        }
        catch
        {
            await application.DisposeAsync();
            state.Dispose();
            throw;
        }

        emulator.app = application;
        var port = BoundPort(application);
        var authority = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        emulator.BaseUrl = new Uri($"http://{authority}:{port}{prefix.Value}/");
        emulator.AdminUrl = new Uri($"http://{authority}:{port}/admin/");
        state.Log($"orchestrator emulator listening: agent API {emulator.BaseUrl}, admin API {emulator.AdminUrl}");
        return emulator;
    }

    /// <summary>Queues an operation; returns its id (generated as "op-N" when none is given).</summary>
    public string Enqueue(string path, JsonObject operation, string? operationId = null) =>
        state.Queue.Enqueue(path, operation, operationId, oversized: false);

    /// <summary>
    /// Queues an operation with a data source's <c>credentials</c> beside it, as the orchestrator
    /// sends every connector operation (docs/protocol.md §12.1). <paramref name="oversized"/> keeps
    /// the credentials in the envelope and serves the operation by E5.
    /// </summary>
    public string EnqueueWithCredentials(string path, JsonObject operation, JsonObject credentials, string? operationId = null, bool oversized = false) =>
        state.Queue.Enqueue(path, operation, operationId, oversized, credentials);

    /// <summary>
    /// Queues an operation whose E1 envelope only says <c>{"__mcd_size_exceeded__": true}</c>
    /// (plus its trace_id); the full operation is served by E5.
    /// </summary>
    public string EnqueueOversized(string path, JsonObject operation, string? operationId = null) =>
        state.Queue.Enqueue(path, operation, operationId, oversized: true);

    /// <summary>Rotates the credential; from the next request on, only this one is accepted.</summary>
    public void SetAcceptedCredential(string tokenId, string tokenSecret) => state.Credentials.Accept(tokenId, tokenSecret);

    /// <summary>
    /// The next result PUTs are answered with these statuses in order (non-2xx with
    /// <c>{"error":"scripted"}</c>, 503 and 429 with <c>Retry-After: 0</c>), then normal answers
    /// resume. Replaces any script not yet used up; no argument clears it.
    /// </summary>
    public void ScriptResultStatuses(params int[] statusCodes) => state.Faults.ScriptResultStatuses(statusCodes);

    /// <summary>Sends <paramref name="payload"/> serialised as JSON as one event; null instance id = every open stream.</summary>
    /// <remarks>Reflection-based JSON for arbitrary payloads (anonymous types in tests); code that ships in the native agent uses the <see cref="JsonNode"/> overload.</remarks>
    [RequiresUnreferencedCode("Serialises an arbitrary payload by reflection; use the JsonNode overload in trimmed code.")]
    [RequiresDynamicCode("Serialises an arbitrary payload by reflection; use the JsonNode overload in native code.")]
    public void SendEvent(object payload, string? eventId = null, string? instanceId = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload is JsonNode node)
        {
            SendEvent(node, eventId, instanceId);
            return;
        }

        // Explicit resolver: reflection-based JSON may be off by default where this runs. Kept once
        // made: a new options instance would build its reflection metadata again for every event.
        var options = reflectionJson ??= new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        state.Hub.Publish(JsonSerializer.Serialize(payload, payload.GetType(), options), eventId, instanceId);
    }

    /// <summary>Sends <paramref name="payload"/> as one event; null instance id = every open stream.</summary>
    public void SendEvent(JsonNode payload, string? eventId = null, string? instanceId = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        state.Hub.Publish(payload.ToJsonString(), eventId, instanceId);
    }

    /// <summary>Sends text as the event's data as is; each line break starts another <c>data:</c> line.</summary>
    public void SendRawData(string data, string? eventId = null, string? instanceId = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        state.Hub.Publish(data, eventId, instanceId);
    }

    /// <summary>Sends a comment line (keep-alive) to every open stream.</summary>
    public void SendComment(string text = "ping")
    {
        ArgumentNullException.ThrowIfNull(text);
        state.Hub.Broadcast(SseFrames.Comment(text));
    }

    /// <summary>Sends a <c>retry:</c> field to every open stream.</summary>
    public void SendRetry(int milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds);
        state.Hub.Broadcast(SseFrames.Retry(milliseconds));
    }

    /// <summary>
    /// Sends <paramref name="text"/> to every open stream exactly as given, no framing added: for
    /// what the other helpers cannot produce, e.g. <c>retry: 999999999999</c> or a malformed field.
    /// </summary>
    public void SendRawText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        state.Hub.Broadcast(text);
    }

    /// <summary>Ends every open stream cleanly after what was already queued on it; new streams are still accepted.</summary>
    public void CloseStreams() => state.Hub.CloseAll();

    /// <summary>Highest number of streams <paramref name="instanceId"/> held open at once (null = requests without the header).</summary>
    public int MaxConcurrentStreams(string? instanceId) => state.Hub.MaxConcurrent(instanceId);

    /// <summary>
    /// Completes when at least <paramref name="count"/> results were answered 2xx, with every
    /// accepted result so far; throws <see cref="TimeoutException"/> describing what arrived otherwise.
    /// </summary>
    public Task<IReadOnlyList<RecordedResult>> WaitForResultsAsync(int count, TimeSpan timeout, CancellationToken ct = default) =>
        state.Recorder.WaitForResultsAsync(count, timeout, ct);

    /// <summary>Completes with the first request (already recorded or still to come) matching <paramref name="predicate"/>.</summary>
    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> predicate, TimeSpan timeout, CancellationToken ct = default) =>
        state.Recorder.WaitForRequestAsync(predicate, timeout, ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // Streams and delayed answers end first, or the server's graceful stop would wait
        // for them until the budget runs out.
        state.BeginShutdown();
        if (app is not null)
        {
            using var budget = new CancellationTokenSource(StopBudget);
            try
            {
                await app.StopAsync(budget.Token);
            }
            catch (OperationCanceledException)
            {
                // Budget spent: disposing aborts whatever is left.
            }

            await app.DisposeAsync();
        }

        state.Dispose();
    }

    /// <summary>
    /// From now on, every result PUT for an operation id matching <paramref name="operationId"/> is
    /// answered <paramref name="statusCode"/> (as <see cref="ScriptResultStatuses"/> answers, taking
    /// nothing from that script); other results are answered as usual. Rules add up; the first
    /// match wins.
    /// </summary>
    public void FailResultsFor(Func<string, bool> operationId, int statusCode) => state.Faults.FailResultsFor(operationId, statusCode);

    private static IPAddress ParseHost(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address)
            ? address
            : throw new ArgumentException($"Host must be an IP address (or \"localhost\"), not \"{host}\".", nameof(host));
    }

    private static PathString NormalizePrefix(string? prefix)
    {
        var trimmed = (prefix ?? "").Trim().Trim('/');
        return trimmed.Length == 0 ? PathString.Empty : new PathString("/" + trimmed);
    }

    private static int BoundPort(WebApplication application)
    {
        var addresses = application.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var bound in addresses)
        {
            if (Uri.TryCreate(bound, UriKind.Absolute, out var uri))
            {
                return uri.Port;
            }
        }

        throw new InvalidOperationException("The emulator started but reported no bound address.");
    }

    /// <summary>
    /// Queues an E1 envelope (also handed out as <c>next_operation</c>) sent as this exact text,
    /// unparsed and unchecked: how tests send what no well-behaved orchestrator would, e.g. escaped
    /// lone surrogates. Returns the label it is listed under in <see cref="HandedOut"/> ("raw-N" unless given).
    /// </summary>
    public string EnqueueRawEnvelope(string envelopeJson, string? label = null) => state.Queue.EnqueueRaw(envelopeJson, label);
}
