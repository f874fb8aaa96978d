using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using EgressAgent.Application.Ports;

namespace EgressAgent.Application.Tests.Support;

/// <summary>An outbox in memory that counts removals per key.</summary>
internal sealed class InMemoryOutbox(TimeProvider timeProvider) : IResultOutbox
{
    private readonly ConcurrentDictionary<string, (OutboxEntry Entry, StoredResult Result)> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _removals = new(StringComparer.Ordinal);

    public int PendingCount => _pending.Count;

    public int Removals => _removals.Values.Sum();

    public int RemovalsOf(string operationId) => _removals.GetValueOrDefault(operationId);

    public Task<OutboxEntry> AddAsync(string operationId, JsonObject result, CancellationToken cancellationToken) =>
        Task.FromResult(Add(operationId, result, timeProvider.GetUtcNow()));

    /// <summary>Stores a result as if computed at <paramref name="createdAt"/> (an earlier process, say).</summary>
    public OutboxEntry Add(string operationId, JsonObject result, DateTimeOffset createdAt)
    {
        var entry = new OutboxEntry(operationId, createdAt);
        _pending[operationId] = (entry, new StoredResult(operationId, new JsonResultBody(result)));
        return entry;
    }

    public IReadOnlyList<OutboxEntry> ListPending() => _pending.Values.Select(p => p.Entry).OrderBy(e => e.CreatedAt).ToList();

    public Task<StoredResult?> LoadAsync(OutboxEntry entry, CancellationToken cancellationToken) =>
        Task.FromResult(_pending.TryGetValue(entry.Key, out var pending) ? pending.Result : null);

    public void Remove(OutboxEntry entry)
    {
        _pending.TryRemove(entry.Key, out _);
        _removals.AddOrUpdate(entry.Key, 1, (_, n) => n + 1);
    }
}
