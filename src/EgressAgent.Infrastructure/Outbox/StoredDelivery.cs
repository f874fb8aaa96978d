using System.Text.Json;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// A result's <see cref="ResultDelivery"/> as the outbox stores it, before the result in its record
/// or file: <c>"delivery":{"trace_id":…,"limit":…,"url":true,"gzip":true,"inline_over":…}</c>, only
/// the fields that say something. A result published as it is has none, so records written before
/// deliveries existed read as they always did (docs/adr/0049).
/// </summary>
internal static class StoredDelivery
{
    public static void Write(Utf8JsonWriter writer, ResultDelivery delivery)
    {
        writer.WriteStartObject("delivery");
        writer.WriteString("trace_id", delivery.TraceId);
        if (delivery.SizeLimit is { } limit)
        {
            writer.WriteNumber("limit", limit);
        }

        if (delivery.AsUrl)
        {
            writer.WriteBoolean("url", true);
        }

        if (delivery.CompressFile)
        {
            writer.WriteBoolean("gzip", true);
        }

        if (delivery.CompressThreshold is { } threshold)
        {
            writer.WriteNumber("inline_over", threshold);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// With <paramref name="reader"/> on a property name: reads <c>"delivery":{…}</c> when that is the
    /// property, leaving the reader on the next property name; false when the layout is not ours.
    /// </summary>
    public static bool TryRead(ref Utf8JsonReader reader, out ResultDelivery? delivery)
    {
        delivery = null;
        if (!reader.ValueTextEquals("delivery"u8))
        {
            return true;
        }

        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? traceId = null;
        long? limit = null, threshold = null;
        bool url = false, gzip = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            if (!reader.Read())
            {
                return false;
            }

            switch (name)
            {
                case "trace_id" when reader.TokenType == JsonTokenType.String:
                    traceId = reader.GetString();
                    break;
                case "limit" when reader.TryGetInt64(out var value):
                    limit = value;
                    break;
                case "inline_over" when reader.TryGetInt64(out var value):
                    threshold = value;
                    break;
                case "url":
                    url = reader.TokenType == JsonTokenType.True;
                    break;
                case "gzip":
                    gzip = reader.TokenType == JsonTokenType.True;
                    break;
                default:
                    return false;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || traceId is null || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            return false;
        }

        delivery = new ResultDelivery(traceId) { SizeLimit = limit, AsUrl = url, CompressFile = gzip, CompressThreshold = threshold };
        return true;
    }
}
