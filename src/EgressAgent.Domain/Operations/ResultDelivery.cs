namespace EgressAgent.Domain.Operations;

/// <summary>
/// How a stored result reaches the orchestrator, read from its operation's response fields
/// (docs/protocol.md §5.3, §13) and stored with it, so that a later process delivers it the same
/// way: published as it is, uploaded to object storage with its location published instead,
/// compressed inline, or refused as too large. The decision is taken when the result is sent, from
/// its stored size (docs/adr/0049).
/// </summary>
public sealed record ResultDelivery(string TraceId)
{
    /// <summary><c>response_size_limit_bytes</c> when above 0: a larger result is offloaded (or refused without a store).</summary>
    public long? SizeLimit { get; init; }

    /// <summary><c>response_type: url</c> on a success: only the <c>__mcd_result__</c> value is uploaded, whatever its size.</summary>
    public bool AsUrl { get; init; }

    /// <summary><c>compress_response_file</c>: an offloaded <c>json</c> result is gzipped.</summary>
    public bool CompressFile { get; init; }

    /// <summary><c>compress_response_threshold_bytes</c> when above 0: a larger result not offloaded is published gzipped inline.</summary>
    public long? CompressThreshold { get; init; }

    /// <summary>True when the result is published as it is, whatever its size: nothing to store with it.</summary>
    public bool IsPlain => SizeLimit is null && !AsUrl && CompressThreshold is null;
}
