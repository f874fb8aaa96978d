using System.Buffers;

namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// Reads an answer body whole, but never more than a cap: a declared length over the cap fails
/// before a byte is read, and an undeclared (chunked or close-delimited) body is counted as it
/// arrives and fails at the first byte past the cap. Reads honour the token, which carries the
/// endpoint's timeout, so a body that stalls costs at most what is left of it.
/// </summary>
internal static class BoundedBody
{
    /// <summary>Bytes preallocated at most, whatever length the server declares: the rest grows as bytes arrive.</summary>
    private const int InitialCapacity = 64 * 1024;
    private const int ChunkSize = 64 * 1024;

    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpContent content, long limit, string endpoint, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        if (declared > limit)
        {
            throw new ResponseTooLargeException(endpoint, limit, declared);
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream((int)Math.Min(declared ?? InitialCapacity, InitialCapacity));
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long total = 0;
            while (true)
            {
                // One byte past the cap is enough to know the body is too large.
                var want = (int)Math.Min(chunk.Length, limit - total + 1);
                var read = await stream.ReadAsync(chunk.AsMemory(0, want), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > limit)
                {
                    throw new ResponseTooLargeException(endpoint, limit, declaredLength: null);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>Reads and discards a body the agent has no use for, under the same cap and token.</summary>
    public static async Task DrainAsync(HttpContent content, long limit, string endpoint, CancellationToken cancellationToken) =>
        _ = await ReadAsync(content, limit, endpoint, cancellationToken);
}
