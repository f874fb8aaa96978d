using System.Net;
using System.Net.Sockets;

namespace EgressAgent.Infrastructure.Network;

/// <summary>Connects to checked addresses only, in the resolver's order, until one answers.</summary>
internal static class TcpConnector
{
    /// <summary>A connected socket to the first of <paramref name="addresses"/> that accepts; the last failure when none does.</summary>
    public static async Task<Socket> ConnectAsync(IReadOnlyList<IPAddress> addresses, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
