using EgressAgent.Application.Ports;

namespace EgressAgent.Infrastructure.Outbox.Sqlite;

/// <summary>What the outbox knows of a pending result without reading the database: its entry, its row and size.</summary>
internal sealed class SqliteIndexEntry(OutboxEntry entry, long id, string operationId, long length)
{
    public OutboxEntry Entry { get; } = entry;

    public long Id { get; } = id;

    public string OperationId { get; } = operationId;

    public long Length { get; } = length;

    /// <summary>The result's bytes kept in memory for its first delivery, or null once evicted (docs/adr/0032).</summary>
    public byte[]? Cached { get; set; }
}
