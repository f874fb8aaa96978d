using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EgressAgent.Tests.Shared;

/// <summary>
/// A loopback HTTP/1.1 origin for the network-check tests: records every request head that reaches it
/// (headers included) and answers each with what the test scripts — an answer, a redirect, headers and
/// then silence, nothing at all. Connections are served concurrently, so a stalled one holds up no other.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    /// <summary>Writes the answer to one request (or does not); <paramref name="stop"/> fires when the server is disposed.</summary>
    public delegate Task Responder(string requestHead, Stream connection, CancellationToken stop);

    private const int MaxHeadBytes = 64 * 1024;
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly Responder _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<string> _requests = [];
    private readonly List<Task> _connections = [];
    private readonly Pulse _changed = new();
    private Task _accepting = Task.CompletedTask;
    private int _connected;

    private LoopbackHttpServer(IPAddress address, Responder respond)
    {
        _listener = new TcpListener(address, 0);
        _respond = respond;
    }

    /// <summary><c>http://&lt;address&gt;:&lt;port&gt;/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public int Port { get; private set; }

    /// <summary>Every request head that arrived, in arrival order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Every TCP connection accepted, whether or not a request followed.</summary>
    public int Connections => Volatile.Read(ref _connected);

    public static LoopbackHttpServer Start(Responder respond, IPAddress? address = null)
    {
        var server = new LoopbackHttpServer(address ?? IPAddress.Loopback, respond);
        server._listener.Start();
        server.Port = ((IPEndPoint)server._listener.LocalEndpoint).Port;
        server.BaseUrl = new Uri($"http://{server._listener.LocalEndpoint}/");
        server._accepting = server.AcceptAsync();
        return server;
    }

    public Task WaitForRequestsAsync(int count, TimeSpan timeout) =>
        _changed.WaitUntilAsync(() => Requests.Count >= count, $"{count} request(s); {Requests.Count} so far", timeout);

    /// <summary><c>status reason</c>, the headers, and the body with its length; the connection closes after it.</summary>
    public static Responder Answer(int status, string reason, byte[] body, params string[] headers) => async (_, connection, stop) =>
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {reason}\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await connection.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), stop);
        await connection.WriteAsync(body, stop);
    };

    public static Responder Answer(int status, string reason, string body = "") => Answer(status, reason, Encoding.UTF8.GetBytes(body));

    public static Responder Redirect(int status, string location) => Answer(status, "Redirect", [], $"Location: {location}");

    /// <summary>Headers that promise a body, then silence until the server stops.</summary>
    public static Responder HeadersThenSilence() => async (_, connection, stop) =>
    {
        await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"u8.ToArray(), stop);
        await Task.Delay(Timeout.Infinite, stop);
    };

    /// <summary>Reads the request and never answers until the server stops.</summary>
    public static Responder Silence() => (_, _, stop) => Task.Delay(Timeout.Infinite, stop);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] running;
        lock (_gate)
        {
            running = [_accepting, .. _connections];
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(StopBudget);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException or TimeoutException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connected);
            _changed.Notify();
            lock (_gate)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        await Task.Yield();
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream, _stop.Token);
                if (head is null)
                {
                    return;
                }

                lock (_gate)
                {
                    _requests.Add(head);
                }

                _changed.Notify();
                await _respond(head, stream, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // The client went away or the server is stopping.
            }
        }
    }

    private static async Task<string?> ReadHeadAsync(Stream stream, CancellationToken stop)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), stop);
            if (read == 0)
            {
                return null;
            }

            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return text[..end];
            }
        }

        return null;
    }
}
