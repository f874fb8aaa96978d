using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Text;

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

    /// <summary>
    /// <c>operation.response_size_limit_bytes</c>: a whole number of bytes; 0 means no limit, as the
    /// orchestrator sends it with every connector operation (docs/protocol.md §12.1, §13: "0 &lt; limit &lt; size").
    /// </summary>
    public static readonly IntegerField ResponseSizeLimit = new("response_size_limit_bytes", 0, long.MaxValue);

    /// <summary><c>operation.compress_response_threshold_bytes</c>: a whole number of bytes; 0 means never (docs/protocol.md §13).</summary>
    public static readonly IntegerField CompressThreshold = new("compress_response_threshold_bytes", 0, long.MaxValue);

    /// <summary><c>operation.timeout</c>, when present.</summary>
    public static TimeSpan? TimeoutOf(JsonObject operation) => Timeout.ReadOptional(operation);

    /// <summary><c>operation.response_size_limit_bytes</c>, when present and not 0 (no limit).</summary>
    public static long? ResponseSizeLimitOf(JsonObject operation) => ResponseSizeLimit.ReadOptional(operation) is { } limit and > 0 ? limit : null;

    /// <summary>The <c>response_type</c> values (docs/protocol.md §12.1).</summary>
    public const string JsonResponse = "json";

    /// <summary>A result uploaded to object storage and its location published (docs/protocol.md §13).</summary>
    public const string UrlResponse = "url";

    /// <summary><c>operation.response_type</c>: <c>json</c> when absent or null; anything but <c>json</c>/<c>url</c> is <c>InvalidOperation</c>.</summary>
    public static string ResponseTypeOf(JsonObject operation)
    {
        var node = operation["response_type"];
        if (node is null)
        {
            return JsonResponse;
        }

        var text = node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node.ToJsonString();
        return text is JsonResponse or UrlResponse
            ? text
            : throw new OperationFailedException($"Invalid response_type '{WellFormedText.Excerpt(text, 64)}'. Must be one of url, json", ErrorKinds.InvalidOperation);
    }

    /// <summary>
    /// How the result of <paramref name="operation"/> reaches the orchestrator (docs/protocol.md §13):
    /// its response fields, checked now so that a bad one ends the operation before it runs.
    /// </summary>
    public static ResultDelivery DeliveryOf(JsonObject operation, string traceId) => new(traceId)
    {
        SizeLimit = ResponseSizeLimitOf(operation),
        AsUrl = ResponseTypeOf(operation) == UrlResponse,
        CompressFile = FlagOf(operation, "compress_response_file"),
        CompressThreshold = CompressThreshold.ReadOptional(operation) is { } threshold and > 0 ? threshold : null,
    };

    /// <summary>A boolean field: false when absent or null; anything but <c>true</c>/<c>false</c> is <c>InvalidOperation</c>.</summary>
    private static bool FlagOf(JsonObject operation, string name) => operation[name] switch
    {
        null => false,
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
        var other => throw new OperationFailedException($"'{name}' must be true or false, not {OperationValues.Describe(other)}", ErrorKinds.InvalidOperation),
    };
}
