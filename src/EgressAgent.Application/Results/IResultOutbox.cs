using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Results;

/// <summary>
/// Durable store of results not yet delivered (docs/protocol.md §6.4). <c>AddAsync</c> returns only
/// once the result would survive a crash.
/// </summary>
public interface IResultOutbox
{
    int PendingCount { get; }

    Task<OutboxEntry> AddAsync(string operationId, JsonObject result, CancellationToken cancellationToken);

    /// <summary>
    /// Stores an operation's result. A store that can write the result as it goes overrides this,
    /// so a large result is never copied into a node tree first (docs/adr/0009).
    /// </summary>
    Task<OutboxEntry> AddAsync(string operationId, OperationResult result, CancellationToken cancellationToken) =>
        AddAsync(operationId, (result ?? throw new ArgumentNullException(nameof(result))).ToJson(), cancellationToken);

    /// <summary>The entries in the store, oldest first; bodies stay in the store until loaded.</summary>
    IReadOnlyList<OutboxEntry> ListPending();

    /// <summary>Null when the entry is gone or unreadable.</summary>
    Task<StoredResult?> LoadAsync(OutboxEntry entry, CancellationToken cancellationToken);

    void Remove(OutboxEntry entry);
}
