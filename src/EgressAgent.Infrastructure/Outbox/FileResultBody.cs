using System.Buffers;
using EgressAgent.Application.Results;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// A stored result as a region of its outbox file, read with one pooled buffer each time it is
/// sent: publishing holds that buffer, not the result (docs/adr/0009).
/// </summary>
internal sealed class FileResultBody(string path, long offset, long length) : IResultBody
{
    /// <summary>Below the large object heap's threshold, so the pool's buffers are ordinary objects.</summary>
    private const int BufferSize = 64 * 1024;

    public long Length => length;

    public async Task CopyToAsync(System.IO.Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        file.Position = offset;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            for (var remaining = length; remaining > 0;)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(remaining, BufferSize)), cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException($"The stored result ended {remaining} byte(s) early");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
