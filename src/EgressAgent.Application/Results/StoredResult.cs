using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Results;

/// <summary>A loaded entry: its operation and a way to read the result's JSON, not the result itself.</summary>
public sealed record StoredResult(string OperationId, IResultBody Body)
{
    /// <summary>How it reaches the orchestrator (docs/protocol.md §13); null: published as it is.</summary>
    public ResultDelivery? Delivery { get; init; }
}
