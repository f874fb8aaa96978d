using System.Text.Json;
using EgressAgent.Domain.Text;

namespace EgressAgent.Domain.Operations;

/// <summary>An operation as handed out by E1 or piggybacked on E2 (docs/protocol.md §5.1).</summary>
public sealed record OperationEnvelope(string OperationId, string Path, JsonElement Operation)
{
    /// <summary>
    /// The envelope's <c>credentials</c> (docs/protocol.md §12.1), <see cref="OperationCredentials.Empty"/>
    /// when absent or not an object. Never part of a result, a log or the outbox.
    /// </summary>
    public OperationCredentials Credentials { get; init; } = OperationCredentials.Empty;

    public const string SizeExceededMarker = "__mcd_size_exceeded__";

    /// <summary>True when the body was too large to inline and must be fetched with E5 by the worker.</summary>
    public bool IsOversized =>
        Operation.ValueKind == JsonValueKind.Object
        && WellFormedJson.TryGetProperty(Operation, "__mcd_size_exceeded__"u8, out var marker)
        && marker.ValueKind == JsonValueKind.True;

    /// <summary>The trace id is <c>operation.trace_id</c> when it is a non-empty string, else the operation id.</summary>
    public string TraceId => TraceIdOf(Operation) ?? OperationId;

    /// <summary>
    /// <c>operation.trace_id</c> when it is a non-empty string; text that is not valid Unicode
    /// has U+FFFD in its place (never throws, whatever the body holds).
    /// </summary>
    public static string? TraceIdOf(JsonElement operation) =>
        operation.ValueKind == JsonValueKind.Object
        && WellFormedJson.TryGetProperty(operation, "trace_id"u8, out var trace)
        && WellFormedJson.GetString(trace) is { Length: > 0 } id
            ? id
            : null;

    /// <summary>
    /// Reads an envelope; null when <c>operation_id</c> or <c>path</c> is missing, empty, not a
    /// string, or not valid Unicode (an escaped lone surrogate: no name to run or answer it under).
    /// A missing or non-object <c>operation</c> becomes an empty object so executors always see an
    /// object; its strings are repaired (U+FFFD for what is not valid Unicode), so nothing that
    /// reads it later throws.
    /// </summary>
    public static OperationEnvelope? TryRead(JsonElement envelope)
    {
        if (envelope.ValueKind != JsonValueKind.Object
            || !TryGetNonEmptyString(envelope, "operation_id"u8, out var operationId)
            || !TryGetNonEmptyString(envelope, "path"u8, out var path))
        {
            return null;
        }

        var operation = WellFormedJson.TryGetProperty(envelope, "operation"u8, out var body) && body.ValueKind == JsonValueKind.Object
            ? WellFormedJson.Repair(body.Clone())
            : EmptyObject;
        var credentials = WellFormedJson.TryGetProperty(envelope, "credentials"u8, out var secrets) && secrets.ValueKind == JsonValueKind.Object
            ? new OperationCredentials(WellFormedJson.Repair(secrets.Clone()))
            : OperationCredentials.Empty;
        return new OperationEnvelope(operationId, path, operation) { Credentials = credentials };
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static bool TryGetNonEmptyString(JsonElement element, ReadOnlySpan<byte> name, out string value)
    {
        value = string.Empty;
        if (!WellFormedJson.TryGetProperty(element, name, out var property) || !WellFormedJson.IsValidString(property))
        {
            return false;
        }

        value = property.GetString() ?? string.Empty;
        return value.Length > 0;
    }
}
