using EgressAgent.Application.Intake;

namespace EgressAgent.Application.Results;

/// <summary>What one E2 attempt achieved. <paramref name="RefusedBytes"/>: the size of the request body a 413 refused.</summary>
public sealed record PublishOutcome(PublishStatus Status, int? StatusCode, TimeSpan? RetryAfter = null, FetchedOperation? NextOperation = null, string? Error = null, long? RefusedBytes = null)
{
    public static PublishOutcome Delivered(int statusCode, FetchedOperation? next) => new(PublishStatus.Delivered, statusCode, NextOperation: next);

    public static PublishOutcome TooLarge(long refusedBytes) => new(PublishStatus.TooLarge, 413, RefusedBytes: refusedBytes);
}
