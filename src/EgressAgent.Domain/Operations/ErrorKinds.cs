namespace EgressAgent.Domain.Operations;

/// <summary>Values of <c>__mcd_error_type__</c> the agent itself produces.</summary>
public static class ErrorKinds
{
    public const string UnsupportedOperation = "UnsupportedOperation";
    public const string InvalidOperation = "InvalidOperation";
    public const string Timeout = "TimeoutError";
    public const string ResultTooLarge = "ResultTooLarge";
    public const string OperationFailed = "OperationFailed";
    public const string DownloadFailed = "DownloadFailed";

    /// <summary>
    /// The operation hit one of the agent's memory caps or ran out of memory (docs/protocol.md §10
    /// "Memory", docs/adr/0043); the worker and the process went on.
    /// </summary>
    public const string ResourceExhausted = "ResourceExhausted";

    /// <summary><c>response_type: url</c> asked for a result in object storage, and none is configured (docs/protocol.md §13).</summary>
    public const string StorageNotConfigured = "StorageNotConfigured";

    /// <summary>A network diagnostic ran and its answer is a failure: a closed port, a failed lookup or request (docs/protocol.md §14).</summary>
    public const string NetworkCheckFailed = "NetworkCheckFailed";

    /// <summary>
    /// A network diagnostic was refused before it connected: its destination is a loopback, link-local,
    /// metadata or configured blocked address, <c>localhost</c>, or plain http under <c>Network:RequireHttps</c>
    /// (docs/protocol.md §14, docs/adr/0047).
    /// </summary>
    public const string DestinationBlocked = "DestinationBlocked";
}
