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

    /// <summary><c>response_type: url</c> asked for a result in object storage, and none is configured (docs/protocol.md §13).</summary>
    public const string StorageNotConfigured = "StorageNotConfigured";
}
