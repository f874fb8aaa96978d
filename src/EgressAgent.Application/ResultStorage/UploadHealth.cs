using System.Collections.Concurrent;

namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// The results whose last upload to object storage failed, and why (docs/protocol.md §13,
/// docs/adr/0049). Health and <c>/readyz</c> say so through <see cref="Results.StorageHealth"/>;
/// intake does not pause for it, since the results are safe in the outbox.
/// </summary>
internal sealed class UploadHealth
{
    private readonly ConcurrentDictionary<string, string> _failing = new(StringComparer.Ordinal);

    /// <summary>The upload of <paramref name="operationId"/>'s result failed, for <paramref name="reason"/> (no path, no secret).</summary>
    public void Failed(string operationId, string reason) => _failing[operationId] = reason;

    /// <summary>The result was uploaded, or left the outbox (delivered, expired): it no longer waits on the store.</summary>
    public void Cleared(string operationId) => _failing.TryRemove(operationId, out _);

    /// <summary>Why uploads are failing, in a few words; null when none is.</summary>
    public string? Reason
    {
        get
        {
            var count = _failing.Count;
            if (count == 0)
            {
                return null;
            }

            var latest = _failing.Values.FirstOrDefault();
            return $"results cannot be uploaded to object storage ({count} waiting; {latest})";
        }
    }
}
