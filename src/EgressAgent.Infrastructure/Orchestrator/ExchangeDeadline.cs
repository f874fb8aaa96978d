namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// One endpoint's timeout over a whole exchange: connecting, sending, the response headers and
/// reading the body all run under <see cref="Token"/> (docs/protocol.md §10). A timeout surfaces as
/// <see cref="TimeoutException"/>; the caller's own cancellation stays a cancellation.
/// </summary>
internal sealed class ExchangeDeadline : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _caller;

    public ExchangeDeadline(string endpoint, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Endpoint = endpoint;
        Timeout = timeout;
        _caller = cancellationToken;
        _timeout = new CancellationTokenSource(timeout, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
    }

    public string Endpoint { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Fires on the timeout or on the caller's cancellation.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>The timeout fired and the caller did not cancel: whatever failed, the endpoint took too long.</summary>
    public bool TimedOut => _timeout.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>
    /// Whether <paramref name="exception"/> is how the transport reported the timeout. Cancelling a
    /// read aborts the connection, which can surface as an I/O error rather than a cancellation.
    /// </summary>
    public bool IsTimeout(Exception exception) =>
        TimedOut && exception is OperationCanceledException or IOException or HttpRequestException;

    public TimeoutException TimeoutError(Exception inner) =>
        new($"{Endpoint} did not complete within {Timeout}", inner);

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }
}
