using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EgressAgent.Application.Connectors;

/// <summary>
/// A key for a JSON value that holds secrets: the SHA-256 of its canonical form (object keys
/// sorted ordinally at every depth, compact), so equal credentials share a key whatever their key
/// order, and no cache ever holds the secret itself as a key.
/// </summary>
internal static class CanonicalJson
{
    public static string Sha256(JsonNode? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value);
        }

        var hash = SHA256.HashData(buffer.WrittenSpan);
        buffer.Clear(); // zeroes what was written: the canonical text holds the secrets
        return Convert.ToHexString(hash);
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, member) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, member);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
