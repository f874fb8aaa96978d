using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>The fields of a <c>sql/query</c> operation (docs/protocol.md §5.2), checked.</summary>
internal sealed record SqlQueryRequest(
    string Connection,
    string Query,
    IReadOnlyList<SqlParameterValue> Parameters,
    int Limit,
    TimeSpan Timeout)
{
    public const int DefaultLimit = 1000;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Rows to return, 0..2,147,483,646.</summary>
    internal static readonly IntegerField LimitField = new("limit", 0, int.MaxValue - 1);

    /// <summary>One day: a query longer than that is a mistake, and the value must fit the drivers' int seconds.</summary>
    internal static readonly SecondsField TimeoutField = new("timeout", 86_400);

    /// <summary>Throws <see cref="OperationFailedException"/> (<c>InvalidOperation</c>) naming the bad field.</summary>
    public static SqlQueryRequest Parse(JsonObject operation) => new(
        RequiredString(operation, "connection"),
        RequiredString(operation, "query"),
        SqlParameterValue.ListFrom(operation["parameters"]),
        (int)LimitField.Read(operation, DefaultLimit),
        TimeoutField.Read(operation, DefaultTimeout));

    private static string RequiredString(JsonObject operation, string name) =>
        operation[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is var text && !string.IsNullOrWhiteSpace(text)
            ? text
            : throw Invalid($"'{name}' must be a non-empty string");

    private static OperationFailedException Invalid(string message) => new(message, ErrorKinds.InvalidOperation);
}
