using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Execution;

/// <summary>
/// The caps that keep one operation from taking the process down (docs/protocol.md §10 "Memory",
/// docs/adr/0043). Results are streamed (rows into a spilling <c>JsonRowBuffer</c>, the result
/// into the outbox's spill file), so what is left to cap is what must sit in memory whole: one
/// value, and rows turned into JSON nodes. Hitting a cap ends the operation in one
/// <see cref="ErrorKinds.ResourceExhausted"/> result.
/// </summary>
public static class ResourceLimits
{
    /// <summary>
    /// One string (in characters) or byte string (in bytes) in a result: 64 Mi. The driver already
    /// holds the value when it reaches the agent; writing it costs about three times its size more
    /// (UTF-8 or base64 text, the row buffer's copy), so a value at the cap peaks near 256 MiB on
    /// top of the driver's copy — the most one value may take in the shipped pod (512 MiB limit,
    /// deploy/kubernetes). 64 MiB is also the largest body the protocol carries (E5, §10), so no
    /// operation the orchestrator can send is refused for echoing a value back.
    /// </summary>
    public const long MaxValueBytes = 64L * 1024 * 1024;

    /// <summary>
    /// The JSON bytes of rows one call turns into nodes (<c>fetchmany</c>, <c>fetchone</c>): 16 MiB.
    /// A JSON node per value takes 12.3 bytes of memory per byte of row JSON (measured: 100,000
    /// typical rows, 9.1 MB of JSON, 112 MB of nodes), so the cap holds such a result near 200 MiB,
    /// under the 256 MiB one result may hold in memory. <c>fetchall</c> streams its rows from the
    /// row buffer when the result is written and has no cap.
    /// </summary>
    public const long MaxRowBytesAsNodes = 16L * 1024 * 1024;

    /// <summary>The failure for a value over <see cref="MaxValueBytes"/>.</summary>
    public static OperationFailedException ValueTooLarge(string what, long size) =>
        new($"Resource exhausted: a {what} value of {size} is larger than the cap of {MaxValueBytes} (64 Mi)", ErrorKinds.ResourceExhausted);

    /// <summary>The failure for rows over <see cref="MaxRowBytesAsNodes"/>.</summary>
    public static OperationFailedException RowsTooLarge(string call) =>
        new($"Resource exhausted: {call} would hold more than {MaxRowBytesAsNodes} bytes of rows in memory; fetchall streams a result of any size", ErrorKinds.ResourceExhausted);

    /// <summary>The failure result of an operation that ran out of memory.</summary>
    public static OperationResult OutOfMemory(string during, string traceId) =>
        OperationResult.Failure($"Resource exhausted: the agent ran out of memory {during}", ErrorKinds.ResourceExhausted, traceId);
}
