namespace EgressAgent.Domain.Faults;

/// <summary>
/// The one answer to "may this code catch that exception and go on?" (docs/adr/0043). Every loop
/// that outlives one item, and every boundary that turns a failure into a result, filters with
/// <see cref="IsRecoverable"/>; no other list of exception types is kept anywhere.
/// </summary>
public static class ExceptionFilters
{
    /// <summary>
    /// False only for exceptions that mean the process itself can no longer be trusted: an access
    /// violation (memory was corrupted, by native code or unsafe code) and a stack overflow. The
    /// runtime fails fast on both before any filter runs; they are named so that one thrown by
    /// hand is not swallowed either. Everything else — <see cref="OutOfMemoryException"/>
    /// included — is a failure of the item at hand: its stack unwinds, what it allocated becomes
    /// garbage, and the process goes on (<see cref="InsufficientExecutionStackException"/> is
    /// thrown precisely so that deep recursion can be stopped before the stack overflows).
    /// </summary>
    public static bool IsRecoverable(this Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is not (AccessViolationException or StackOverflowException);
    }

    /// <summary>The process ran out of memory (<see cref="InsufficientMemoryException"/> included): the operation ends in <c>ResourceExhausted</c>.</summary>
    public static bool IsOutOfMemory(this Exception exception) => exception is OutOfMemoryException;

    /// <summary>
    /// An exception a layer may translate into its own error (a driver error, a connection error):
    /// recoverable and not running out of memory, which passes through to the operation runner
    /// so that it ends in <c>ResourceExhausted</c> wherever it happened.
    /// </summary>
    public static bool IsTranslatable(this Exception exception) => exception.IsRecoverable() && !exception.IsOutOfMemory();
}
