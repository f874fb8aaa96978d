using System.Net;
using System.Net.Http.Headers;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>What reached the wire: copied eagerly, because the agent disposes its requests.</summary>
internal sealed record CapturedRequest(
    HttpMethod Method,
    Uri Uri,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentType,
    string Body,
    long? ContentLength = null)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}

/// <summary>The primary handler under the real HTTP pipeline: records each request and answers from a script.</summary>
internal sealed class RecordingHandler : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private readonly List<CapturedRequest> _requests = [];

    /// <summary>Answers a request; the default is 200 with no body.</summary>
    public Func<CapturedRequest, HttpResponseMessage> Respond { get; set; } = _ => new HttpResponseMessage(HttpStatusCode.OK);

    /// <summary>When set, answers instead of <see cref="Respond"/>: for answers that take (fake) time or never come.</summary>
    public Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>>? RespondAsync { get; set; }

    public Pulse Changed { get; } = new();

    public IReadOnlyList<CapturedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };

    public static HttpResponseMessage WithRetryAfter(HttpStatusCode status, RetryConditionHeaderValue retryAfter)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.RetryAfter = retryAfter;
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        // The declared length is read before the body: reading buffers the content, and a buffered
        // content reports the buffer's length whatever it declared.
        var contentLength = request.Content?.Headers.ContentLength;
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var captured = new CapturedRequest(request.Method, request.RequestUri!, headers, request.Content?.Headers.ContentType?.MediaType, body, contentLength);
        lock (_gate)
        {
            _requests.Add(captured);
        }

        Changed.Notify();
        var response = RespondAsync is { } respondAsync ? await respondAsync(captured, cancellationToken) : Respond(captured);
        response.RequestMessage = request;
        return response;
    }
}
