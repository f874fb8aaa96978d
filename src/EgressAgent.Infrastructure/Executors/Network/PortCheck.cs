using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Text;
using EgressAgent.Infrastructure.Network;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary>
/// <c>open</c> and <c>telnet</c> (docs/protocol.md §14): a TCP connect to <c>host</c>:<c>port</c> within
/// <c>timeout</c> seconds (default 5), to the addresses the <see cref="DestinationGuard"/> checked.
/// </summary>
internal sealed class PortCheck(DestinationGuard guard, TimeProvider timeProvider)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private const int MaxHostChars = 256;

    public static TimeSpan TimeoutOf(JsonObject operation) => NetworkParameters.TimeoutOrDefault(operation, DefaultTimeout);

    public async Task<JsonNode?> RunAsync(JsonObject operation, CancellationToken cancellationToken)
    {
        var (host, port) = NetworkParameters.HostAndPort(operation);
        var timeout = NetworkParameters.Timeout(operation, DefaultTimeout);
        var shownHost = WellFormedText.Excerpt(host, MaxHostChars);
        var closed = $"Port {port} is closed on {shownHost}.";
        using var deadline = new CheckDeadline(timeout, timeProvider, cancellationToken);

        CheckedDestination destination;
        try
        {
            destination = await guard.CheckHostAsync(host, deadline.Token);
        }
        catch (Exception ex) when (NetworkFailures.IsNetworkFailure(ex))
        {
            deadline.ThrowIfOperationCancelled();
            throw ex switch
            {
                DestinationBlockedException => new OperationFailedException($"Destination {shownHost} is refused: {ex.Message}.", ErrorKinds.DestinationBlocked),
                _ when deadline.Expired => new OperationFailedException($"DNS lookup failed for {shownHost}: {deadline.TimedOut}.", ErrorKinds.NetworkCheckFailed),
                _ => new OperationFailedException($"DNS lookup failed for {shownHost}: {NetworkFailures.ReasonOf(ex)}.", ErrorKinds.NetworkCheckFailed),
            };
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
