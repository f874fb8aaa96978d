using System.Text.Json.Nodes;

namespace EgressAgent.Application.Execution;

/// <summary>Reads the generic fields every operation may carry.</summary>
internal static class OperationFields
{
    /// <summary>The longest delay a timer accepts (about 49.7 days); a cancellation source throws beyond it.</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary><c>operation.timeout</c> in seconds, when a positive number; clamped to what a timer supports.</summary>
    public static TimeSpan? TimeoutOf(JsonObject operation) =>
        PositiveNumber(operation, "timeout") is { } seconds
            ? seconds >= MaxTimeout.TotalSeconds ? MaxTimeout : TimeSpan.FromSeconds(seconds)
            : null;

    /// <summary><c>operation.response_size_limit_bytes</c>, when a positive number.</summary>
    public static long? ResponseSizeLimitOf(JsonObject operation) =>
        PositiveNumber(operation, "response_size_limit_bytes") is { } limit ? (long)Math.Min(limit, long.MaxValue) : null;

    private static double? PositiveNumber(JsonObject operation, string name) =>
        JsonNumbers.TryGetDouble(operation[name], out var number)
        && number > 0
            ? number
            : null;
}
