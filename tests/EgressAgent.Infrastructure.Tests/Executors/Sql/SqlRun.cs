using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Executors.Sql;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>
/// Runs <c>sql/query</c> operations against configured connections and returns the wire result,
/// mapped as the runner maps it (success, or the executor's <see cref="OperationFailedException"/>).
/// Any other exception escapes and fails the test: the executor must not throw anything else.
/// </summary>
internal sealed class SqlRun
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly SqlQueryExecutor _executor;

    public SqlRun(params (string Name, string Provider, string ConnectionString)[] connections)
    {
        var options = new ConnectionsOptions();
        foreach (var (name, provider, connectionString) in connections)
        {
            options[name] = new ConnectionOptions { Provider = provider, ConnectionString = connectionString };
        }

        _executor = new SqlQueryExecutor(Options.Create(options), TimeProvider.System, NullLogger<SqlQueryExecutor>.Instance);
    }

    public static JsonObject Query(string connection, string query, JsonObject? parameters = null, int? limit = null, double? timeout = null)
    {
        var operation = new JsonObject { ["trace_id"] = "t-sql", ["connection"] = connection, ["query"] = query };
        if (parameters is not null)
        {
            operation["parameters"] = parameters;
        }

        if (limit is { } l)
        {
            operation["limit"] = l;
        }

        if (timeout is { } t)
        {
            operation["timeout"] = t;
        }

        return operation;
    }

    public Task<JsonObject> RunAsync(JsonObject operation) => RunAsync(operation, CancellationToken.None);

    /// <summary>The result object as published: serialised and parsed back, so it is what the orchestrator would see.</summary>
    public async Task<JsonObject> RunAsync(JsonObject operation, CancellationToken cancellationToken)
    {
        var context = new OperationContext("op-sql", OperationRoute.ExecutePrefix + "sql/query", "t-sql", operation);
        OperationResult result;
        try
        {
            var payload = await _executor.ExecuteAsync(context, cancellationToken).WaitAsync(Bound, CancellationToken.None);
            result = OperationResult.Success(payload, context.TraceId);
        }
        catch (OperationFailedException ex)
        {
            result = OperationResult.Failure(ex.Message, ex.Kind, context.TraceId);
        }

        return JsonNode.Parse(result.ToJson().ToJsonString())!.AsObject();
    }

    public static JsonObject Payload(JsonObject result) =>
        result["__mcd_result__"] as JsonObject
        ?? throw new Xunit.Sdk.XunitException($"Expected a success, got {result.ToJsonString()}");

    public static (string Kind, string Message) Error(JsonObject result) =>
        result["__mcd_error_type__"] is { } kind
            ? (kind.GetValue<string>(), result["__mcd_error__"]!.GetValue<string>())
            : throw new Xunit.Sdk.XunitException($"Expected an error, got {result.ToJsonString()}");
}
