using System.Text.Json;
using System.Text.Json.Nodes;

namespace EgressAgent.Domain.Operations;

/// <summary>The one result every operation that reaches a worker ends in (docs/protocol.md §5.3).</summary>
public abstract record OperationResult(string TraceId)
{
    public const string ResultKey = "__mcd_result__";
    public const string ErrorKey = "__mcd_error__";
    public const string ErrorTypeKey = "__mcd_error_type__";
    public const string TraceIdKey = "__mcd_trace_id__";

    public static OperationResult Success(JsonNode? payload, string traceId) => new Succeeded(payload, traceId);

    public static OperationResult Failure(string? message, string kind, string traceId) =>
        new Failed(string.IsNullOrEmpty(message) ? $"Unknown error: {kind}" : message, kind, traceId);

    /// <summary>The wire shape: the value of <c>"result"</c> in the E2 body (a copy; see <see cref="WriteTo"/> for large results).</summary>
    public abstract JsonObject ToJson();

    /// <summary>Writes the wire shape without building or copying anything: how a large result reaches the outbox.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        WriteFields(writer);
        writer.WriteString(TraceIdKey, TraceId);
        writer.WriteEndObject();
    }

    private protected abstract void WriteFields(Utf8JsonWriter writer);

    public sealed record Succeeded(JsonNode? Payload, string TraceId) : OperationResult(TraceId)
    {
        public override JsonObject ToJson() => new()
        {
            [ResultKey] = Payload?.DeepClone(),
            [TraceIdKey] = TraceId,
        };

        private protected override void WriteFields(Utf8JsonWriter writer)
        {
            writer.WritePropertyName(ResultKey);
            if (Payload is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                Payload.WriteTo(writer);
            }
        }
    }

    public sealed record Failed(string Message, string Kind, string TraceId) : OperationResult(TraceId)
    {
        public override JsonObject ToJson() => new()
        {
            [ErrorKey] = Message,
            [ErrorTypeKey] = Kind,
            [TraceIdKey] = TraceId,
        };

        private protected override void WriteFields(Utf8JsonWriter writer)
        {
            writer.WriteString(ErrorKey, Message);
            writer.WriteString(ErrorTypeKey, Kind);
        }
    }
}
