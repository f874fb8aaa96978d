using System.Globalization;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary>
/// One check's own timeout joined to the operation's cancellation. <see cref="Expired"/> tells the
/// two apart: the check's own timeout is an answer of the check ("closed", "timed out"), the
/// operation's cancellation (shutdown, the runner's backstop) is not, and escapes as it came.
/// </summary>
internal sealed class CheckDeadline : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _operation;

    public CheckDeadline(TimeSpan timeout, TimeProvider timeProvider, CancellationToken operation)
    {
        Timeout = timeout;
        _operation = operation;
        _timeout = new CancellationTokenSource(timeout, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(operation, _timeout.Token);
    }

    public TimeSpan Timeout { get; }

    /// <summary>Cancelled at the check's timeout or with the operation.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>The check's own time ran out while the operation goes on.</summary>
    public bool Expired => _timeout.IsCancellationRequested && !_operation.IsCancellationRequested;

    /// <summary>
    /// Lets the operation's cancellation escape as itself, whatever exception it surfaced as (a socket
    /// closed under a read may say so with an <see cref="IOException"/>): what the check would say no longer counts.
    /// </summary>
    public void ThrowIfOperationCancelled() => _operation.ThrowIfCancellationRequested();

    /// <summary><c>timed out after 5 s</c>.</summary>
    public string TimedOut => string.Create(CultureInfo.InvariantCulture, $"timed out after {Timeout.TotalSeconds:0.###} s");

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }
}
