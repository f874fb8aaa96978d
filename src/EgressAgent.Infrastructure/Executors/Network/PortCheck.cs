using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Network;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary>
/// <c>open</c> and <c>telnet</c> (docs/protocol.md §14): a TCP connect to <c>host</c>:<c>port</c> within
/// <c>timeout</c> seconds (default 5), to the addresses the <see cref="DestinationGuard"/> checked.
/// </summary>
internal sealed class PortCheck(DestinationGuard guard, TimeProvider timeProvider)
{
    private static readonly CheckTimeout Timeout = new(TimeSpan.FromSeconds(5));

    public static TimeSpan TimeoutOf(JsonObject operation) => Timeout.OrDefault(operation);

    public async Task<JsonNode?> RunAsync(JsonObject operation, CancellationToken cancellationToken)
    {
        var (host, port) = NetworkParameters.HostAndPort(operation);
        using var deadline = Timeout.Start(operation, timeProvider, cancellationToken);
        var shownHost = NetworkParameters.ShownHost(host);
        var closed = $"Port {port} is closed on {shownHost}.";

        CheckedDestination destination;
        try
        {
            destination = await guard.CheckHostAsync(host, deadline.Token);
        }
        catch (Exception ex) when (NetworkFailures.IsNetworkFailure(ex))
        {
            deadline.ThrowIfOperationCancelled();
            throw ex is DestinationBlockedException
                ? new OperationFailedException($"Destination {shownHost} is refused: {ex.Message}.", ErrorKinds.DestinationBlocked)
                : NetworkFailures.OfLookup(ex, deadline, shownHost);
        }

        try
        {
            using var socket = await TcpConnector.ConnectAsync(destination.Addresses, port, deadline.Token);
        }
        catch (Exception ex) when (NetworkFailures.IsNetworkFailure(ex))
        {
            // Refused, unreachable, or no answer within the timeout (a firewall that drops): closed, as far as the agent can tell.
            deadline.ThrowIfOperationCancelled();
            throw new OperationFailedException(closed, ErrorKinds.NetworkCheckFailed);
        }

        return new JsonObject { ["message"] = $"Port {port} is open on {shownHost}" };
    }
}
