using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A second loopback origin (another port, so another origin than the orchestrator's) that records
/// every request reaching it, headers included, and answers each <c>200 {}</c> — what a redirect
/// target that swallows a result would say. A redirect test points a <c>Location</c> here and
/// asserts nothing ever arrived.
/// </summary>
internal sealed class RecordingOrigin : IAsyncDisposable
{
    private const int MaxHeadBytes = 64 * 1024;
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(5);
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<HttpHead> _requests = [];
    private Task _accepting = Task.CompletedTask;

    private RecordingOrigin()
    {
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request head that reached this origin, in arrival order.</summary>
    public IReadOnlyList<HttpHead> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>One request line and its headers per request, for assertion messages.</summary>
    public string Describe() =>
        string.Join("; ", Requests.Select(r => $"{r.StartLine} [{string.Join(", ", r.Headers.Select(h => h.Name))}]"));

    public static RecordingOrigin Start()
    {
        var origin = new RecordingOrigin();
        origin._listener.Start();
        origin.BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)origin._listener.LocalEndpoint).Port}");
        origin._accepting = origin.AcceptAsync();
        return origin;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting.WaitAsync(StopBudget);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
            // Stopping.
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

            // One at a time is enough: in a passing test nothing ever connects.
            using (client)
            using (var bounded = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                bounded.CancelAfter(StopBudget);
                try
                {
                    var stream = client.GetStream();
                    if (await HttpHead.ReadAsync(stream, MaxHeadBytes, bounded.Token) is { } head)
                    {
                        lock (_gate)
                        {
                            _requests.Add(head);
                        }

                        await stream.WriteAsync(Answer, bounded.Token);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or InvalidDataException)
                {
                    // Recorded whatever arrived; the connection is done.
                }
            }
        }
    }
}
