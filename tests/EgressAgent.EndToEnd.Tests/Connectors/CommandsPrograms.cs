using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>Commands programs as the orchestrator writes them (docs/protocol.md §12.2).</summary>
internal static class CommandsPrograms
{
    /// <summary>The shape every SQL monitor uses: cursor, execute, then fetchall/description/rowcount in one dict.</summary>
    public static JsonObject Standard(string sql, JsonNode? parameters = null, double? timeoutSeconds = null)
    {
        var operation = new JsonObject
        {
            ["trace_id"] = $"t-{Guid.NewGuid():N}",
            ["skip_cache"] = false,
            ["commands"] = new JsonArray(
                new JsonObject { ["method"] = "cursor", ["store"] = "_cursor" },
                new JsonObject { ["target"] = "_cursor", ["method"] = "execute", ["args"] = new JsonArray(sql, parameters) },
                new JsonObject
                {
                    ["target"] = "__utils",
                    ["method"] = "build_dict",
                    ["kwargs"] = new JsonObject
                    {
                        ["all_results"] = Call("fetchall"),
                        ["description"] = Call("description"),
                        ["rowcount"] = Call("rowcount"),
                    },
                }),
            ["response_size_limit_bytes"] = 0,
            ["compress_response_file"] = false,
            ["response_type"] = "json",
            ["compress_response_threshold_bytes"] = 0,
        };
        if (timeoutSeconds is { } timeout)
        {
            operation["timeout"] = timeout;
        }

        return operation;
    }

    /// <summary>Compact JSON without the default encoder's escapes (<c>+</c> stays <c>+</c>): what a reader of the wire compares.</summary>
    public static readonly JsonSerializerOptions Plain = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A program of the given commands, nothing else.</summary>
    public static JsonObject Of(params JsonObject[] commands) => new() { ["commands"] = new JsonArray([.. commands]) };

    public static JsonObject Call(string method) => new() { ["__type__"] = "call", ["target"] = "_cursor", ["method"] = method };

    /// <summary>The result's payload (<c>__mcd_result__</c>), failing with the whole result when it is an error.</summary>
    public static JsonNode Payload(JsonObject result)
    {
        Assert.True(result.ContainsKey("__mcd_result__"), result.ToJsonString());
        return result["__mcd_result__"]!;
    }

    /// <summary>Asserts an error result of <paramref name="kind"/>; returns its message.</summary>
    public static string Error(JsonObject result, string kind)
    {
        Assert.True(result.ContainsKey("__mcd_error__"), result.ToJsonString());
        Assert.Equal(kind, result["__mcd_error_type__"]?.GetValue<string>());
        return result["__mcd_error__"]!.GetValue<string>();
    }
}
