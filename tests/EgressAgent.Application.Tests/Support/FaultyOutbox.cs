using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;

namespace EgressAgent.Application.Tests.Support;

/// <summary>
/// An <see cref="InMemoryOutbox"/> whose writes fail on the test's command: each queued fault
/// fails one write; <see cref="FailEveryWrite"/> fails them all. Records every stored result.
/// </summary>
internal sealed class FaultyOutbox(TimeProvider timeProvider) : IResultOutbox
{
    private readonly InMemoryOutbox _inner = new(timeProvider);
    private readonly ConcurrentQueue<Exception> _faults = new();
    private readonly ConcurrentQueue<(string OperationId, JsonObject Result)> _stored = new();
    private int _attempts;

    /// <summary>When set, every write throws it (after the queued faults are used up).</summary>
    public Exception? FailEveryWrite { get; set; }

    public int Attempts => Volatile.Read(ref _attempts);

    public IReadOnlyList<(string OperationId, JsonObject Result)> Stored => [.. _stored];

    public int PendingCount => _inner.PendingCount;

    public void FailNextWrites(params Exception[] faults)
    {
        foreach (var fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    public Task<OutboxEntry> AddAsync(string operationId, JsonObject result, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        var fault = _faults.TryDequeue(out var queued) ? queued : FailEveryWrite;
        if (fault is not null)
        {
            return Task.FromException<OutboxEntry>(fault);
        }

        _stored.Enqueue((operationId, result));
        return _inner.AddAsync(operationId, result, cancellationToken);
    }

    public IReadOnlyList<OutboxEntry> ListPending() => _inner.ListPending();

    public Task<StoredResult?> LoadAsync(OutboxEntry entry, CancellationToken cancellationToken) => _inner.LoadAsync(entry, cancellationToken);

    public void Remove(OutboxEntry entry) => _inner.Remove(entry);
}
