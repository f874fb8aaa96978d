using System.Text.Json;

namespace EgressAgent.Domain.Operations;

/// <summary>An operation as handed out by E1 or piggybacked on E2 (contract §5.1).</summary>
public sealed record OperationEnvelope(string OperationId, string Path, JsonElement Operation)
{
    public const string SizeExceededMarker = "__mcd_size_exceeded__";

    /// <summary>True when the body was too large to inline and must be fetched with E5 by the worker.</summary>
    public bool IsOversized =>
        Operation.ValueKind == JsonValueKind.Object
        && Operation.TryGetProperty(SizeExceededMarker, out var marker)
        && marker.ValueKind == JsonValueKind.True;

    /// <summary>The trace id is <c>operation.trace_id</c> when it is a non-empty string, else the operation id.</summary>
    public string TraceId => TraceIdOf(Operation) ?? OperationId;

    public static string? TraceIdOf(JsonElement operation) =>
        operation.ValueKind == JsonValueKind.Object
        && operation.TryGetProperty("trace_id", out var trace)
        && trace.ValueKind == JsonValueKind.String
        && trace.GetString() is { Length: > 0 } id
            ? id
            : null;

    /// <summary>
    /// Reads an envelope; null when <c>operation_id</c> or <c>path</c> is missing, empty or not a string.
    /// A missing or non-object <c>operation</c> becomes an empty object so executors always see an object.
    /// </summary>
    public static OperationEnvelope? TryRead(JsonElement envelope)
    {
        if (envelope.ValueKind != JsonValueKind.Object
            || !TryGetNonEmptyString(envelope, "operation_id", out var operationId)
            || !TryGetNonEmptyString(envelope, "path", out var path))
        {
            return null;
        }

        var operation = envelope.TryGetProperty("operation", out var body) && body.ValueKind == JsonValueKind.Object
            ? body.Clone()
            : EmptyObject;
        return new OperationEnvelope(operationId, path, operation);
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static bool TryGetNonEmptyString(JsonElement element, string name, out string value)
    {
        value = string.Empty;
        if (!element.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = property.GetString() ?? string.Empty;
        return value.Length > 0;
    }
}
