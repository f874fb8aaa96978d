using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary>
/// A check's <c>timeout</c> parameter and its default, read the two ways a self-timed check needs
/// it: for the runner's backstop, which must never throw, and for the check's own deadline, where a
/// bad value is the check's parameter error.
/// </summary>
internal sealed class CheckTimeout(TimeSpan defaultValue)
{
    /// <summary>For <see cref="ISelfTimedExecutor.TimeoutOf"/>: the timeout, or the default for an absent or bad value.</summary>
    public TimeSpan OrDefault(JsonObject operation)
    {
        try
        {
            return NetworkParameters.Timeout(operation, defaultValue);
        }
        catch (OperationFailedException)
        {
            return defaultValue;
        }
    }

    /// <summary>
    /// The check's deadline from now, joined to <paramref name="cancellationToken"/>; a bad
    /// <c>timeout</c> throws its parameter error (<c>Invalid value for timeout parameter: …</c>).
    /// </summary>
    public CheckDeadline Start(JsonObject operation, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        new(NetworkParameters.Timeout(operation, defaultValue), timeProvider, cancellationToken);
}
