using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace EgressAgent.EndToEnd.Tests.Fleet;

/// <summary>
/// systemd's side of sd_notify for a test: a unix datagram socket the agent finds in
/// <c>NOTIFY_SOCKET</c>, recording every message with when it arrived.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly ConcurrentQueue<(DateTimeOffset At, string Message)> _messages = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _receiving = Task.Run(ReceiveAsync);
    }

    public string Path { get; }

    public IReadOnlyList<(DateTimeOffset At, string Message)> Messages => [.. _messages];

    public async Task<(DateTimeOffset At, string Message)> WaitForAsync(Func<string, bool> match, int count, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var found = Messages.Where(m => match(m.Message)).ToList();
            if (found.Count >= count)
            {
                return found[count - 1];
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{count} matching notification(s) not received within {timeout}; got: {string.Join(" | ", Messages.Select(m => m.Message))}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _receiving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
        File.Delete(Path);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _messages.Enqueue((DateTimeOffset.UtcNow, Encoding.UTF8.GetString(buffer, 0, received)));
        }
    }
}
