using System.Text.Json.Nodes;

namespace EgressAgent.Application.Execution;

/// <summary>
/// The generic fields every operation may carry, with their ranges (docs/adr/0012-operation-numbers.md).
/// Both throw <see cref="OperationFailedException"/> (<c>InvalidOperation</c>) for a value of the
/// wrong type or out of range; the runner turns that into the operation's one result.
/// </summary>
internal static class OperationFields
{
    /// <summary><c>operation.timeout</c>: seconds, above 0, at most what a timer supports (about 49.7 days).</summary>
    public static readonly SecondsField Timeout = new("timeout", SecondsField.TimerMaxSeconds);

    /// <summary><c>operation.response_size_limit_bytes</c>: a whole number of bytes, at least 1.</summary>
    public static readonly IntegerField ResponseSizeLimit = new("response_size_limit_bytes", 1, long.MaxValue);

    /// <summary><c>operation.timeout</c>, when present.</summary>
    public static TimeSpan? TimeoutOf(JsonObject operation) => Timeout.ReadOptional(operation);

    /// <summary><c>operation.response_size_limit_bytes</c>, when present.</summary>
    public static long? ResponseSizeLimitOf(JsonObject operation) => ResponseSizeLimit.ReadOptional(operation);
}
