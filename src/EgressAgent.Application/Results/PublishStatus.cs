namespace EgressAgent.Application.Results;

public enum PublishStatus
{
    Delivered,
    Retryable,
    Rejected,

    /// <summary>413: final for this body; the publisher sends a <c>ResultTooLarge</c> failure in its place (docs/protocol.md §10).</summary>
    TooLarge,
}
