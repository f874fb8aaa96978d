using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors.Sql;

namespace EgressAgent.Infrastructure.Tests.Connectors.Sql;

/// <summary>The commands program's steps, called on the objects directly (the interpreter is not needed).</summary>
internal static class ConnectorCalls
{
    public static async Task<object?> CallAsync(IProgramObject target, string method, params object?[] args) =>
        await target.InvokeAsync(method, new ProgramArguments(args, new Dictionary<string, object?>()), CancellationToken.None);

    public static async Task<IProgramObject> CursorAsync(IDataSourceSession session) =>
        (IProgramObject)(await CallAsync(session, "cursor"))!;

    /// <summary>cursor → execute → fetchall, description, rowcount: the shape every SQL monitor sends (docs/protocol.md §12.2).</summary>
    public static async Task<(JsonNode Rows, JsonNode? Description, long RowCount)> QueryAsync(IDataSourceSession session, string sql, JsonNode? parameters = null)
    {
        var cursor = await CursorAsync(session);
        Assert.Null(await CallAsync(cursor, "execute", JsonValue.Create(sql), parameters));
        var rows = (JsonNode)(await CallAsync(cursor, "fetchall"))!;
        var description = (JsonNode?)await CallAsync(cursor, "description");
        var rowCount = ((JsonNode)(await CallAsync(cursor, "rowcount"))!).GetValue<long>();
        return (rows, description, rowCount);
    }

    /// <summary>The JSON text a result would carry: the node written as the outbox writes it.</summary>
    public static string Json(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }

        // Written as the result is written (rows from the buffer), then read back and shown without escapes (+ rather than \u002B).
        var parsed = JsonNode.Parse(node.ToJsonString());
        using var stream = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (parsed is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                parsed.WriteTo(writer);
            }
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The rows as ordinary nodes, to index into.</summary>
    public static JsonNode Parsed(JsonNode rows) => JsonNode.Parse(rows.ToJsonString())!;


    public static async Task<OperationFailedException> FailsAsync(Func<Task> call) => await Assert.ThrowsAsync<OperationFailedException>(call);

    public static async Task<IDataSourceSession> OpenAsync(SqlConnectionType type, JsonObject credentials, bool readOnly = true, TimeSpan? operationTimeout = null)
    {
        var client = type.CreateClient(new ConnectionRequest(type.Names[0], credentials, readOnly));
        return await client.OpenSessionAsync(new SessionLimits(operationTimeout), CancellationToken.None);
    }
}
