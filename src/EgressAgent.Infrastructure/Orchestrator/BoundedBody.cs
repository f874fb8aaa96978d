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
        var declared = CheckDeclaredLength(content, limit, endpoint);
        using var buffer = new MemoryStream((int)Math.Min(declared ?? InitialCapacity, InitialCapacity));
        await CopyAsync(content, limit, endpoint, buffer, cancellationToken);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>
    /// Reads and discards a body the agent has no use for, under the same cap and token; nothing
    /// is kept, so a heartbeat's answer costs no buffer.
    /// </summary>
    public static async Task DrainAsync(HttpContent content, long limit, string endpoint, CancellationToken cancellationToken)
    {
        CheckDeclaredLength(content, limit, endpoint);
        await CopyAsync(content, limit, endpoint, sink: null, cancellationToken);
    }

    private static long? CheckDeclaredLength(HttpContent content, long limit, string endpoint)
    {
        var declared = content.Headers.ContentLength;
        return declared > limit ? throw new ResponseTooLargeException(endpoint, limit, declared) : declared;
    }

    /// <summary>Counts the body as it arrives, failing at the first byte past the cap; writes it to <paramref name="sink"/> when there is one.</summary>
    private static async Task CopyAsync(HttpContent content, long limit, string endpoint, MemoryStream? sink, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
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

                sink?.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
