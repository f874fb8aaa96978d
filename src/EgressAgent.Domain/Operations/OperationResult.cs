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
    public const string ExceptionKey = "__mcd_exception__";
    public const string ErrorAttributesKey = "__mcd_error_attrs__";

    /// <summary>How it reaches the orchestrator (docs/protocol.md §13); null: published as it is.</summary>
    public ResultDelivery? Delivery { get; init; }

    public static OperationResult Success(JsonNode? payload, string traceId) => new Succeeded(payload, traceId);

    public static OperationResult Failure(string? message, string kind, string traceId) =>
        new Failed(string.IsNullOrEmpty(message) ? $"Unknown error: {kind}" : message, kind, traceId);

    /// <summary>
    /// A failure with the connector error details of docs/protocol.md §12.3: <c>__mcd_exception__</c>
    /// (<c>"&lt;Type&gt;: &lt;message&gt;"</c>) and, when given, <c>__mcd_error_attrs__</c>.
    /// </summary>
    public static OperationResult Failure(string? message, string kind, string traceId, string? exception, JsonObject? attributes) =>
        new Failed(string.IsNullOrEmpty(message) ? $"Unknown error: {kind}" : message, kind, traceId) { Exception = exception, Attributes = attributes };

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
        /// <summary><c>__mcd_exception__</c>: <c>"&lt;Type&gt;: &lt;message&gt;"</c> (connector errors, docs/protocol.md §12.3).</summary>
        public string? Exception { get; init; }

        /// <summary><c>__mcd_error_attrs__</c>, e.g. <c>sqlstate</c> and <c>errno</c>.</summary>
        public JsonObject? Attributes { get; init; }

        public override JsonObject ToJson()
        {
            var json = new JsonObject { [ErrorKey] = Message };
            if (Exception is not null)
            {
                json[ExceptionKey] = Exception;
            }

            json[ErrorTypeKey] = Kind;
            if (Attributes is not null)
            {
                json[ErrorAttributesKey] = Attributes.DeepClone();
            }

            json[TraceIdKey] = TraceId;
            return json;
        }

        private protected override void WriteFields(Utf8JsonWriter writer)
        {
            writer.WriteString(ErrorKey, Message);
            if (Exception is not null)
            {
                writer.WriteString(ExceptionKey, Exception);
            }

            writer.WriteString(ErrorTypeKey, Kind);
            if (Attributes is not null)
            {
                writer.WritePropertyName(ErrorAttributesKey);
                Attributes.WriteTo(writer);
            }
        }
    }
}
