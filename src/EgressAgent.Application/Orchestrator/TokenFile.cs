using System.Text.Json;

namespace EgressAgent.Application.Orchestrator;

/// <summary>
/// The JSON token file <c>{"mcd_id": "...", "mcd_token": "..."}</c> (docs/protocol.md §2). Read at start
/// by validation and before every request by the credential source, so both agree on what a
/// usable file is. Problems name the file and the failure, never its content.
/// </summary>
public static class TokenFile
{
    public static bool TryRead(string path, out string id, out string secret, out string problem)
    {
        id = secret = problem = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && TryGetNonEmpty(root, "mcd_id", out id)
                && TryGetNonEmpty(root, "mcd_token", out secret))
            {
                return true;
            }

            problem = $"Token file '{path}' must be a JSON object with non-empty string fields mcd_id and mcd_token.";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // The exception's own message is left out: a JSON error could quote the secret.
            problem = $"Token file '{path}' could not be read ({ex.GetType().Name}).";
        }

        id = secret = string.Empty;
        return false;
    }

    private static bool TryGetNonEmpty(JsonElement root, string name, out string value)
    {
        value = root.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String
            ? property.GetString() ?? string.Empty
            : string.Empty;
        return value.Length > 0;
    }
}
