using System.Text.Json;
using System.Text.Json.Serialization;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>Reads a string when the value is one, and null for any other JSON value instead of failing.</summary>
public sealed class LenientStringConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            try
            {
                return reader.GetString();
            }
            catch (InvalidOperationException)
            {
                // An escaped lone surrogate ("\ud800") is valid JSON but no valid string: treat it as
                // "not a string" rather than failing the whole event (a goodbye must not be lost).
                return null;
            }
        }

        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
