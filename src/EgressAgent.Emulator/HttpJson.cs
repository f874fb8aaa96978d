using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace EgressAgent.Emulator;

/// <summary>Small JSON request/response helpers; bodies are built as JsonNode so nothing relies on reflection.</summary>
internal static class HttpJson
{
    public const string EmptyObject = "{}";

    /// <summary>
    /// An E2 body is one level deeper than the result, which is as deep as the operation it
    /// echoes plus its wrapper: an orchestrator that hands out envelopes 64 deep (System.Text.Json's
    /// default limit) must take results deeper than that default.
    /// </summary>
    private static readonly JsonDocumentOptions BodyOptions = new() { MaxDepth = 1024 };

    public static async Task WriteAsync(HttpResponse response, int statusCode, string json, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, cancellationToken);
    }

    public static Task WriteErrorAsync(HttpResponse response, int statusCode, string message, CancellationToken cancellationToken) =>
        WriteAsync(response, statusCode, Error(message), cancellationToken);

    public static string Error(string message) => new JsonObject { ["error"] = message }.ToJsonString();

    /// <summary>Parses a body that must be a JSON object; null for anything else.</summary>
    public static JsonObject? ParseObject(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body, documentOptions: BodyOptions) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values.ToString() : null;

    public static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var text = await reader.ReadToEndAsync(cancellationToken);
        return text.Length == 0 ? null : text;
    }
}
