using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>The fields of a <c>sql/query</c> operation (contract §5.2), checked.</summary>
internal sealed record SqlQueryRequest(
    string Connection,
    string Query,
    IReadOnlyList<SqlParameterValue> Parameters,
    int Limit,
    TimeSpan Timeout)
{
    public const int DefaultLimit = 1000;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>One day: a query longer than that is a mistake, and the value must fit the drivers' int seconds.</summary>
    private const double MaxTimeoutSeconds = 86_400;

    /// <summary>Throws <see cref="OperationFailedException"/> (<c>InvalidOperation</c>) naming the bad field.</summary>
    public static SqlQueryRequest Parse(JsonObject operation) => new(
        RequiredString(operation, "connection"),
        RequiredString(operation, "query"),
        SqlParameterValue.ListFrom(operation["parameters"]),
        LimitOf(operation["limit"]),
        TimeoutOf(operation["timeout"]));

    private static string RequiredString(JsonObject operation, string name) =>
        operation[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is var text && !string.IsNullOrWhiteSpace(text)
            ? text
            : throw Invalid($"'{name}' must be a non-empty string");

    private static int LimitOf(JsonNode? node)
    {
        if (node is null)
        {
            return DefaultLimit;
        }

        return JsonNumbers.TryGetInt64(node, out var limit) && limit is >= 0 and < int.MaxValue
            ? (int)limit
            : throw Invalid("'limit' must be an integer from 0 to 2147483646");
    }

    private static TimeSpan TimeoutOf(JsonNode? node)
    {
        if (node is null)
        {
            return DefaultTimeout;
        }

        return JsonNumbers.TryGetDouble(node, out var seconds) && seconds is > 0 and <= MaxTimeoutSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw Invalid($"'timeout' must be a number of seconds above 0 and at most {MaxTimeoutSeconds}");
    }

    private static OperationFailedException Invalid(string message) => new(message, ErrorKinds.InvalidOperation);
}
