using System.Net.Sockets;
using System.Security.Authentication;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Text;
using EgressAgent.Infrastructure.Network;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary>What a failed network check says about the exception that ended it.</summary>
internal static class NetworkFailures
{
    private const int MaxReasonChars = 512;

    /// <summary>An exception a check answers with a failure rather than letting it escape.</summary>
    public static bool IsNetworkFailure(Exception exception) => exception is HttpRequestException or IOException or SocketException
        or OperationCanceledException or AuthenticationException or DestinationBlockedException or HostLookupException;

    /// <summary>
    /// The exception's message and those of its causes, each once, without the trailing full stop (the
    /// §14 messages add their own): <c>The SSL connection could not be established, see inner exception: …</c>.
    /// </summary>
    public static string ReasonOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var parts = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            var message = current.Message.Trim().TrimEnd('.');
            if (message.Length > 0 && !parts.Exists(p => p.Contains(message, StringComparison.Ordinal)))
            {
                parts.Add(message);
            }
        }

        return WellFormedText.Excerpt(parts.Count == 0 ? exception.GetType().Name : string.Join(": ", parts), MaxReasonChars);
    }

    /// <summary>
    /// The failure of a guarded HTTP exchange: <paramref name="prefix"/> and the reason with its full stop
    /// (a refusal, <c>timed out after 10 s</c>, or what went wrong); the operation's own cancellation escapes instead.
    /// </summary>
    public static OperationFailedException OfHttp(Exception exception, CheckDeadline deadline, string prefix)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(deadline);
        deadline.ThrowIfOperationCancelled();
        return exception switch
        {
            DestinationBlockedException => new($"{prefix}{ReasonOf(exception)}.", ErrorKinds.DestinationBlocked),
            _ => new($"{prefix}{ReasonOf(exception, deadline)}.", ErrorKinds.NetworkCheckFailed),
        };
    }

    /// <summary>
    /// The failure of a name lookup: <c>DNS lookup failed for db: timed out after 5 s.</c>, or with what
    /// went wrong; the operation's own cancellation escapes instead.
    /// </summary>
    public static OperationFailedException OfLookup(Exception exception, CheckDeadline deadline, string shownHost)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(deadline);
        deadline.ThrowIfOperationCancelled();
        return LookupFailed(shownHost, ReasonOf(exception, deadline));
    }

    /// <summary><c>DNS lookup failed for db: </c> and <paramref name="reason"/>, with its full stop.</summary>
    public static OperationFailedException LookupFailed(string shownHost, string reason) =>
        new($"DNS lookup failed for {shownHost}: {reason}.", ErrorKinds.NetworkCheckFailed);

    /// <summary>Why a check failed: its own time ran out (<c>timed out after 5 s</c>), or what the exception says.</summary>
    private static string ReasonOf(Exception exception, CheckDeadline deadline) => deadline.Expired ? deadline.TimedOut : ReasonOf(exception);
}
