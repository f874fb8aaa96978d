using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Tests.Support;

/// <summary>
/// An outbox in memory that counts adds and removals per operation id. Each add gets its own key
/// (as in the file outbox), so a result and its replacement for the same operation are two entries.
/// The <c>On…</c> hooks run before each call with the operation id: a test throws from them to
/// play a failing store.
/// </summary>
internal sealed class InMemoryOutbox(TimeProvider timeProvider) : IResultOutbox
{
    private readonly ConcurrentDictionary<string, (OutboxEntry Entry, StoredResult Result)> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _removals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _adds = new(StringComparer.Ordinal);
    private long _sequence;

    public Action<string>? OnAdd { get; set; }

    public Action? OnList { get; set; }

    public Action<string>? OnLoad { get; set; }

    public Action<string>? OnRemove { get; set; }

    public int PendingCount => _pending.Count;

    public int Removals => _removals.Values.Sum();

    public int RemovalsOf(string operationId) => _removals.GetValueOrDefault(operationId);

    public int AddsOf(string operationId) => _adds.GetValueOrDefault(operationId);

    /// <summary>The stored results of <paramref name="operationId"/> still pending, oldest first.</summary>
    public IReadOnlyList<StoredResult> PendingOf(string operationId) =>
        _pending.Values.Where(p => p.Result.OperationId == operationId).OrderBy(p => p.Entry.Key, StringComparer.Ordinal).Select(p => p.Result).ToList();

    public Task<OutboxEntry> AddAsync(string operationId, JsonObject result, CancellationToken cancellationToken)
    {
        OnAdd?.Invoke(operationId);
        var sequence = Interlocked.Increment(ref _sequence).ToString("D10", CultureInfo.InvariantCulture);
        return Task.FromResult(Add(operationId, result, OutboxEntry.Created($"{sequence}-{operationId}", timeProvider.GetUtcNow(), timeProvider)));
    }

    /// <summary>Keeps the result's delivery with it, as the file outbox does (docs/protocol.md §13).</summary>
    public async Task<OutboxEntry> AddAsync(string operationId, OperationResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var entry = await AddAsync(operationId, result.ToJson(), cancellationToken);
        var (stored, loaded) = _pending[entry.Key];
        _pending[entry.Key] = (stored, loaded with { Delivery = result.Delivery });
        return entry;
    }

    /// <summary>
    /// Stores a result as if computed at <paramref name="createdAt"/> by an earlier process and
    /// loaded from the disk now, like the file outbox does at start.
    /// </summary>
    public OutboxEntry Add(string operationId, JsonObject result, DateTimeOffset createdAt)
    {
        var sequence = Interlocked.Increment(ref _sequence).ToString("D10", CultureInfo.InvariantCulture);
        return Add(operationId, result, OutboxEntry.Loaded($"{sequence}-{operationId}", createdAt, timeProvider.GetUtcNow(), timeProvider.GetTimestamp()));
    }

    private OutboxEntry Add(string operationId, JsonObject result, OutboxEntry entry)
    {
        _pending[entry.Key] = (entry, new StoredResult(operationId, new JsonResultBody(result)));
        _adds.AddOrUpdate(operationId, 1, (_, n) => n + 1);
        return entry;
    }

    public IReadOnlyList<OutboxEntry> ListPending()
    {
        OnList?.Invoke();
        return _pending.Values.Select(p => p.Entry).OrderBy(e => e.CreatedAt).ThenBy(e => e.Key, StringComparer.Ordinal).ToList();
    }

    public Task<StoredResult?> LoadAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        OnLoad?.Invoke(OperationIdOf(entry));
        return Task.FromResult(_pending.TryGetValue(entry.Key, out var pending) ? pending.Result : null);
    }

    public void Remove(OutboxEntry entry)
    {
        OnRemove?.Invoke(OperationIdOf(entry));
        _pending.TryRemove(entry.Key, out _);
        _removals.AddOrUpdate(OperationIdOf(entry), 1, (_, n) => n + 1);
    }

    private static string OperationIdOf(OutboxEntry entry) => entry.Key[(entry.Key.IndexOf('-', StringComparison.Ordinal) + 1)..];
}
