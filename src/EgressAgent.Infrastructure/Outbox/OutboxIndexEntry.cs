using EgressAgent.Application.Results;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// What the outbox knows of a pending result without reading the disk: its entry and where it is,
/// a file of its own (<see cref="Segment"/> null) or a record of a segment (docs/adr/0032).
/// </summary>
internal sealed class OutboxIndexEntry(OutboxEntry entry)
{
    public OutboxEntry Entry { get; } = entry;

    public Segment? Segment { get; init; }

    /// <summary>The record's line within <see cref="Segment"/>.</summary>
    public long Offset { get; init; }

    /// <summary>The result's bytes within <see cref="Segment"/>.</summary>
    public long ResultOffset { get; init; }

    public long ResultLength { get; init; }

    public string? OperationId { get; init; }

    /// <summary>How the record's result is delivered; null for a file of its own (read with its head) or a plain result.</summary>
    public ResultDelivery? Delivery { get; init; }

    /// <summary>The stored record kept in memory for its first delivery, or null once evicted.</summary>
    public SegmentRecord? Cached { get; set; }
}
