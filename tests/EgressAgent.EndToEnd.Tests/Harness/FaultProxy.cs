using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A loopback TCP proxy between the agent and a server (the emulator, an object store) that
/// misbehaves on request: per request matched by a <see cref="FaultRule"/> it stalls after the
/// headers or mid-body, resets the connection, drips the answer, holds the connection half-open
/// or answers a redirect or an error (see
/// <see cref="ProxyFault"/>); everything else passes through, the event stream included (relayed
/// as it comes, never buffered). Each client connection carries one request: it is sent on over a
/// fresh upstream connection with <c>Connection: close</c>, and the answer's head says
/// <c>Connection: close</c> too, so the agent never reuses a connection a fault has touched.
/// Rules can be added and removed while the agent runs. Every wait is bounded by the proxy's
/// lifetime; disposing it closes every connection.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private const int MaxHeadBytes = 64 * 1024;
    private const int RelayBufferBytes = 16 * 1024;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly Uri _upstream;
    private readonly ITestOutputHelper? _output;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<FaultRule> _rules = [];
    private readonly List<ProxiedRequest> _requests = [];
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly Pulse _changed = new();
    private Task _accepting = Task.CompletedTask;
    private int _disposed;

    private FaultProxy(Uri upstream, ITestOutputHelper? output)
    {
        _upstream = upstream;
        _output = output;
        _listener = new TcpListener(IPAddress.Loopback, 0);
    }

    /// <summary>The URL to give the agent: the proxy's address with the upstream base URL's path.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request the proxy has read, in arrival order, with the fault each got.</summary>
    public IReadOnlyList<ProxiedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts a proxy to <paramref name="upstream"/> (the emulator's base URL, an object store's endpoint).</summary>
    public static FaultProxy Start(Uri upstream, ITestOutputHelper? output = null)
    {
        var proxy = new FaultProxy(upstream, output);
        proxy._listener.Start();
        var port = ((IPEndPoint)proxy._listener.LocalEndpoint).Port;
        proxy.BaseUrl = new UriBuilder(upstream) { Host = "127.0.0.1", Port = port }.Uri;
        proxy._accepting = proxy.AcceptAsync();
        return proxy;
    }

    /// <summary>
    /// Applies <paramref name="fault"/> to requests matching <paramref name="match"/>, at most
    /// <paramref name="times"/> of them (null: until removed). Rules are tried in the order added.
    /// </summary>
    public FaultRule When(Func<ProxiedRequest, bool> match, ProxyFault fault, int? times = null, string? name = null)
    {
        var rule = new FaultRule(name ?? fault.ToString(), match, fault, times, _changed);
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    public int Count(Func<ProxiedRequest, bool> match) => Requests.Count(match);

    /// <summary>Completes with the <paramref name="count"/>-th request matching <paramref name="match"/>.</summary>
    public async Task<ProxiedRequest> WaitForRequestAsync(Func<ProxiedRequest, bool> match, int count, TimeSpan timeout)
    {
        ProxiedRequest? found = null;
        await _changed.WaitUntilAsync(
            () =>
            {
                var matching = Requests.Where(match).ToList();
                found = matching.Count >= count ? matching[count - 1] : null;
                return found is not null;
            },
            timeout,
            () => $"request #{count} of a kind through the proxy; seen: {string.Join("; ", Requests.Select(r => $"{r.Method} {r.Path} [{r.Fault}]"))}");
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets.Keys)
        {
            socket.Dispose();
        }

        try
        {
            await Task.WhenAll([_accepting, .. _connections.Keys]).WaitAsync(StopBudget);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or TimeoutException or ObjectDisposedException)
        {
            // Stopping: whatever was in flight was cut, which is the point.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var connection = Task.Run(() => HandleAsync(client, stop), CancellationToken.None);
            _connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(done => _connections.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(TcpClient client, CancellationToken stop)
    {
        // Taken once: TcpClient.Client is null after a close.
        var socket = client.Client;
        _sockets.TryAdd(socket, 0);
        try
        {
            using (client)
            {
                await ExchangeAsync(client, stop);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // One side hung up, or the proxy is stopping.
        }
        catch (InvalidDataException ex)
        {
            Log($"dropped a connection: {ex.Message}");
        }
        finally
        {
            _sockets.TryRemove(socket, out _);
        }
    }

    private async Task ExchangeAsync(TcpClient client, CancellationToken stop)
    {
        var fromClient = client.GetStream();
        var head = await HttpHead.ReadAsync(fromClient, MaxHeadBytes, stop);
        if (head is null)
        {
            return;
        }

        var request = Describe(head);
        var fault = Choose(request);
        Log($"{request.Method} {request.Path} [{fault}]");

        if (!fault.Forwards)
        {
            await DiscardAsync(fromClient, head.Leftover.Length, head.RequestBodyLength(), stop);
            if (fault.Kind == ProxyFaultKind.ResetBeforeAnswer)
            {
                Reset(client);
            }
            else if (fault.Kind is ProxyFaultKind.Redirect or ProxyFaultKind.Answer)
            {
                await fromClient.WriteAsync(AnswerHead(fault), stop);
                client.Client.Shutdown(SocketShutdown.Send);
                await HoldAsync(fromClient, stop); // until the client has read it and hung up: no RST racing the answer
            }
            else
            {
                await HoldAsync(fromClient, stop);
            }

            return;
        }

        if (fault.Kind == ProxyFaultKind.Hold)
        {
            // Until the test lets it go or the proxy stops. The request's body is not read yet: it
            // follows the head to the server, so nothing reads the client's side meanwhile (a
            // client that gave up meanwhile is noticed when its answer is relayed).
            await fault.Release.WaitAsync(stop);
            Log($"{request.Method} {request.Path} released");
        }

        using var upstream = new TcpClient();
        var upstreamSocket = upstream.Client;
        _sockets.TryAdd(upstreamSocket, 0);
        try
        {
            using (var connectLimit = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                connectLimit.CancelAfter(ConnectTimeout);
                await upstream.ConnectAsync(_upstream.Host, _upstream.Port, connectLimit.Token);
            }

            var toServer = upstream.GetStream();
            await toServer.WriteAsync(head.WithConnectionClose(), stop);
            await ForwardBodyAsync(head, fromClient, toServer, stop);

            // The client says nothing more after its request: a read that ends means it hung up, and
            // the relay (a stream never ends by itself) stops with it instead of at the next write.
            using var clientGone = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var watching = WatchUntilGoneAsync(fromClient, clientGone, stop);
            var writer = new FaultedResponseWriter(fromClient, fault, clientGone.Token);
            if (await RelayResponseAsync(toServer, writer, clientGone.Token))
            {
                // The server finished its answer: so does the client's connection.
                client.Client.Shutdown(SocketShutdown.Send);
                return;
            }

            if (fault.Kind == ProxyFaultKind.Reset)
            {
                Reset(client);
            }
            else
            {
                await watching;
            }
        }
        finally
        {
            _sockets.TryRemove(upstreamSocket, out _);
        }
    }

    /// <summary>Relays the server's answer through the fault; false when the fault cut it short.</summary>
    private static async Task<bool> RelayResponseAsync(NetworkStream fromServer, FaultedResponseWriter writer, CancellationToken stop)
    {
        var head = await HttpHead.ReadAsync(fromServer, MaxHeadBytes, stop);
        if (head is null)
        {
            return true;
        }

        if (!await writer.WriteHeadAsync(head.WithConnectionClose()) || !await writer.WriteBodyAsync(head.Leftover))
        {
            return false;
        }

        var buffer = new byte[RelayBufferBytes];
        while (true)
        {
            var read = await fromServer.ReadAsync(buffer, stop);
            if (read == 0)
            {
                return true;
            }

            if (!await writer.WriteBodyAsync(buffer.AsMemory(0, read)))
            {
                return false;
            }
        }
    }

    private static async Task ForwardBodyAsync(HttpHead head, NetworkStream fromClient, NetworkStream toServer, CancellationToken stop)
    {
        var length = head.RequestBodyLength();
        var early = head.Leftover[..(int)Math.Min(head.Leftover.Length, length)];
        await toServer.WriteAsync(early, stop);
        var remaining = length - early.Length;
        var buffer = new byte[RelayBufferBytes];
        while (remaining > 0)
        {
            var read = await fromClient.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), stop);
            if (read == 0)
            {
                throw new IOException("The client closed in the middle of its request body.");
            }

            await toServer.WriteAsync(buffer.AsMemory(0, read), stop);
            remaining -= read;
        }
    }

    private static async Task DiscardAsync(NetworkStream fromClient, int alreadyRead, long length, CancellationToken stop)
    {
        var remaining = length - alreadyRead;
        var buffer = new byte[RelayBufferBytes];
        while (remaining > 0)
        {
            var read = await fromClient.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), stop);
            if (read == 0)
            {
                return;
            }

            remaining -= read;
        }
    }

    /// <summary>Keeps the connection open, sending nothing, until the client gives up or the proxy stops.</summary>
    private static async Task HoldAsync(NetworkStream fromClient, CancellationToken stop)
    {
        var buffer = new byte[1024];
        while (await fromClient.ReadAsync(buffer, stop) > 0)
        {
            // The agent has nothing more to say on this connection; whatever it is, it is ignored.
        }
    }

    /// <summary>Reads until the client hangs up (or the proxy stops), then cancels <paramref name="gone"/>.</summary>
    private static async Task WatchUntilGoneAsync(NetworkStream fromClient, CancellationTokenSource gone, CancellationToken stop)
    {
        try
        {
            await HoldAsync(fromClient, stop);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Gone either way.
        }
        finally
        {
            try
            {
                await gone.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The exchange ended first.
            }
        }
    }

    private static byte[] AnswerHead(ProxyFault fault) => System.Text.Encoding.Latin1.GetBytes(fault.Kind == ProxyFaultKind.Redirect
        ? $"HTTP/1.1 {fault.Status} Redirect\r\nLocation: {fault.Location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        : $"HTTP/1.1 {fault.Status} Fault\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    /// <summary>An abortive close: with a zero linger, closing sends RST instead of FIN.</summary>
    private static void Reset(TcpClient client)
    {
        client.LingerState = new LingerOption(true, 0);
        client.Client.Close();
    }

    private static ProxiedRequest Describe(HttpHead head)
    {
        var parts = head.StartLine.Split(' ');
        if (parts.Length != 3)
        {
            throw new InvalidDataException($"Not a request line: '{head.StartLine}'.");
        }

        var target = parts[1];
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var request = query < 0
            ? new ProxiedRequest(DateTimeOffset.UtcNow, parts[0], target, string.Empty)
            : new ProxiedRequest(DateTimeOffset.UtcNow, parts[0], target[..query], target[query..]);
        return request with { InstanceId = head.Header("x-mcd-agent-instance-id") };
    }

    private ProxyFault Choose(ProxiedRequest request)
    {
        ProxyFault fault;
        lock (_gate)
        {
            fault = _rules.FirstOrDefault(rule => rule.TryApply(request))?.Fault ?? ProxyFault.PassThrough;
            _requests.Add(request with { Fault = fault });
        }

        _changed.Notify();
        return fault;
    }

    private void Log(string message)
    {
        try
        {
            _output?.WriteLine($"[proxy] {DateTimeOffset.UtcNow:HH:mm:ss.fff} {message}");
        }
        catch (InvalidOperationException)
        {
            // The test finished; xunit no longer accepts output for it.
        }
    }
}
