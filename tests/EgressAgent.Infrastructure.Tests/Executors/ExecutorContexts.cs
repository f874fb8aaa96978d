using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Tests.Executors;

internal static class ExecutorContexts
{
    /// <summary>A context whose operation is parsed from wire JSON, as the pipeline hands it over.</summary>
    public static OperationContext For(string path, string operationJson) =>
        new("op-1", path, "t-1", JsonNode.Parse(operationJson)!.AsObject());
}
