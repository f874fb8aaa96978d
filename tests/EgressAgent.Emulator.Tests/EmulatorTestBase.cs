using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace EgressAgent.Emulator.Tests;

/// <summary>Starts one emulator per test and talks to it like an agent would, over real loopback HTTP.</summary>
public abstract class EmulatorTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan Bounded = TimeSpan.FromSeconds(10);

    private readonly List<IDisposable> disposables = [];

    protected OrchestratorEmulator Emulator { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    protected virtual EmulatorOptions Options => new();

    public async Task InitializeAsync()
    {
        Emulator = await OrchestratorEmulator.StartAsync(Options);
        // Without draining, disposing an unfinished /stream response closes its connection at
        // once, as an agent must do before it reconnects; by default HttpClient keeps the socket
        // open for up to 2 s to drain it for reuse, which the server rightly sees as overlap.
        Client = Track(new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { Timeout = Bounded });
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in disposables)
        {
            disposable.Dispose();
        }

        await Emulator.DisposeAsync();
    }

    protected T Track<T>(T disposable)
        where T : IDisposable
    {
        disposables.Add(disposable);
        return disposable;
    }

    protected Uri Agent(string relative) => new(Emulator.BaseUrl, relative.TrimStart('/'));

    protected Uri Admin(string relative) => new(Emulator.AdminUrl, relative.TrimStart('/'));

    protected static HttpRequestMessage AgentRequest(
        HttpMethod method,
        Uri url,
        string? jsonBody = null,
        string tokenId = "emulator-id",
        string token = "emulator-secret",
        string instanceId = "instance-1")
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("x-mcd-id", tokenId);
        request.Headers.Add("x-mcd-token", token);
        request.Headers.Add("x-mcd-agent-instance-id", instanceId);
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        }

        return request;
    }

    protected async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            return Track(await Client.SendAsync(request));
        }
    }

    protected Task<HttpResponseMessage> PutResultAsync(string operationId, string resultJson, string instanceId = "instance-1") =>
        SendAsync(AgentRequest(
            HttpMethod.Put,
            Agent($"api/v1/agent/operations/{Uri.EscapeDataString(operationId)}/result"),
            "{\"result\":" + resultJson + "}",
            instanceId: instanceId));

    protected static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>Opens /stream and returns once the response headers arrived.</summary>
    protected async Task<SseReader> OpenStreamAsync(string instanceId = "instance-1", string? lastEventId = null)
    {
        var request = AgentRequest(HttpMethod.Get, Agent("stream"), instanceId: instanceId);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var headersTimeout = new CancellationTokenSource(Bounded);
        var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersTimeout.Token);
        request.Dispose();
        var reader = new SseReader(response, await response.Content.ReadAsStreamAsync());
        return Track(reader);
    }
}

/// <summary>Minimal SSE client for assertions: returns each message's raw lines.</summary>
public sealed class SseReader : IDisposable
{
    private readonly StreamReader reader;

    public SseReader(HttpResponseMessage response, Stream body)
    {
        Response = response;
        Body = body;
        reader = new StreamReader(body, Encoding.UTF8);
    }

    public HttpResponseMessage Response { get; }

    public Stream Body { get; }

    /// <summary>Lines up to the next blank line; null at end of stream.</summary>
    public async Task<IReadOnlyList<string>?> ReadMessageAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var lines = new List<string>();
        while (true)
        {
            var line = await reader.ReadLineAsync(cts.Token);
            if (line is null)
            {
                return lines.Count == 0 ? null : lines;
            }

            if (line.Length == 0)
            {
                return lines;
            }

            lines.Add(line);
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        Response.Dispose();
    }
}
