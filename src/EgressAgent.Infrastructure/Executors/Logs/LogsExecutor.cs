using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Logging;

namespace EgressAgent.Infrastructure.Executors.Logs;

/// <summary>
/// <c>/api/v1/agent/logs</c>: <c>{"records": [{"ts", "level", "category", "message"}]}</c>, the
/// most recent records oldest first, at most <c>operation.limit</c> (default 1000).
/// </summary>
internal sealed class LogsExecutor(LogRingBuffer buffer) : IOperationExecutor
{
    public const int DefaultLimit = 1000;

    /// <summary>At most this many records, 0..2,147,483,647; the buffer holds fewer, so a large limit means all of them.</summary>
    internal static readonly IntegerField LimitField = new("limit", 0, int.MaxValue);

    public OperationRoute Route { get; } = OperationRoute.Exact("/api/v1/agent/logs");

    public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var limit = (int)LimitField.Read(context.Operation, DefaultLimit);
        var records = new JsonArray();
        foreach (var record in buffer.Latest(limit))
        {
            var item = new JsonObject
            {
                ["ts"] = record.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["level"] = record.Level,
                ["category"] = record.Category,
                ["message"] = record.Message,
            };
            if (record.ExceptionType is { } exceptionType)
            {
                item["exception"] = exceptionType;
            }

            records.Add((JsonNode)item); // the node overload: the generic Add<T> is reflection-based
        }

        return Task.FromResult<JsonNode?>(new JsonObject { ["records"] = records });
    }
}
