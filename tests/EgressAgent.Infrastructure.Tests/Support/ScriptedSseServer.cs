using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>
/// The orchestrator's <c>/stream</c> endpoint as an <see cref="HttpMessageHandler"/>: each request
/// becomes a <see cref="ServerConnection"/> the test answers by hand. It counts response bodies
/// that are open, and how many were open when each request arrived, to prove that connections
/// never overlap.
/// </summary>
internal sealed class ScriptedSseServer : HttpMessageHandler
{
    private readonly Channel<ServerConnection> _arrivals = Channel.CreateUnbounded<ServerConnection>();
    private readonly Lock _gate = new();
    private readonly List<int> _openAtRequest = [];
    private int _open;
    private int _maxOpen;

    public Pulse Changed { get; } = new();

    public int RequestCount
    {
        get
        {
            lock (_gate)
            {
                return _openAtRequest.Count;
            }
        }
    }

    public int MaxOpenStreams => Volatile.Read(ref _maxOpen);

    public IReadOnlyList<int> OpenStreamsAtRequest
    {
        get
        {
            lock (_gate)
            {
                return [.. _openAtRequest];
            }
        }
    }

    public async Task<ServerConnection> NextConnectionAsync()
    {
        using var deadline = new CancellationTokenSource(Pulse.DefaultTimeout);
        try
        {
            return await _arrivals.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No stream request arrived within {Pulse.DefaultTimeout} ({RequestCount} so far).");
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var connection = new ServerConnection(this, request);
        lock (_gate)
        {
            _openAtRequest.Add(_open);
        }

        _arrivals.Writer.TryWrite(connection);
        Changed.Notify();
        try
        {
            return await connection.Response.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The client gave up before taking the answer: like a real handler, close what was
            // (or will be) answered, so it does not count as open.
            connection.Abandon();
            throw;
        }
    }

    internal void StreamOpened()
    {
        lock (_gate)
        {
            _open++;
            _maxOpen = Math.Max(_maxOpen, _open);
        }

        Changed.Notify();
    }

    internal void StreamClosed()
    {
        lock (_gate)
        {
            _open--;
        }

        Changed.Notify();
    }
}

/// <summary>One request to the scripted server, waiting for the test to answer it.</summary>
internal sealed class ServerConnection
{
    private readonly ScriptedSseServer _server;
    private readonly TaskCompletionSource<HttpResponseMessage> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _abandoned;

    public ServerConnection(ScriptedSseServer server, HttpRequestMessage request)
    {
        _server = server;
        Uri = request.RequestUri!;
        Accept = request.Headers.Accept.ToString();
        LastEventId = request.Headers.TryGetValues("Last-Event-ID", out var values) ? string.Join(",", values) : null;
    }

    public Uri Uri { get; }

    public string Accept { get; }

    public string? LastEventId { get; }

    internal Task<HttpResponseMessage> Response => _response.Task;

    public void RespondStatus(HttpStatusCode status) => Answer(new HttpResponseMessage(status));

    public ServerStream RespondWithStream()
    {
        _server.StreamOpened();
        var body = new ServerStream(_server.StreamClosed);
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
        Answer(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        return body;
    }

    internal void Abandon()
    {
        lock (_response)
        {
            _abandoned = true;
            if (_response.Task.IsCompletedSuccessfully)
            {
                _response.Task.Result.Dispose();
            }
        }
    }

    private void Answer(HttpResponseMessage response)
    {
        lock (_response)
        {
            if (_abandoned)
            {
                response.Dispose();
                return;
            }

            _response.TrySetResult(response);
        }
    }
}
