using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// Runs one query and streams its rows into the payload of docs/protocol.md §5.2:
/// <c>{"columns": [{"name", "type"}], "rows": [[…]], "row_count": n, "truncated": bool}</c>.
/// Reads at most <c>limit + 1</c> rows: the extra one only tells that there were more.
/// </summary>
internal static class SqlResultReader
{
    public static async Task<JsonObject> ReadAsync(ISqlProvider provider, string connectionString, SqlQueryRequest request, CancellationToken cancellationToken)
    {
        await using var session = await provider.OpenAsync(connectionString, request.Timeout, cancellationToken);
        var reader = await session.ExecuteAsync(request, cancellationToken);

        var columns = new JsonArray();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            columns.Add((JsonNode)new JsonObject { ["name"] = reader.GetName(i), ["type"] = reader.GetDataTypeName(i) }); // the node overload, not the reflection-based Add<T>
        }

        var values = session.ValueReadersFor(reader);
        using var rows = new JsonRowBuffer();
        while (rows.Count < request.Limit && await reader.ReadAsync(cancellationToken))
        {
            var writer = rows.BeginRow();
            for (var i = 0; i < values.Count; i++)
            {
                WireValues.Write(writer, values[i](reader, i));
            }

            rows.EndRow();
        }

        var truncated = rows.Count == request.Limit && await reader.ReadAsync(cancellationToken);
        if (truncated)
        {
            session.Abandon();
        }

        return new JsonObject
        {
            ["columns"] = columns,
            ["rows"] = rows.ToJsonValue(),
            ["row_count"] = rows.Count,
            ["truncated"] = truncated,
        };
    }
}
