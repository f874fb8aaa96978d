using System.Diagnostics;

namespace EgressAgent.Benchmarks;

/// <summary>
/// A read-only view of a stream that notes when it was read to its end: for an upload, what came
/// after (the last part and completing the multipart upload) is the time from then on.
/// </summary>
internal sealed class EndOfStreamClock(Stream inner) : Stream
{
    /// <summary>The <see cref="Stopwatch"/> timestamp of the first read that returned nothing; 0 until then.</summary>
    public long EndedAt { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Note(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Note(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Note(int read)
    {
        if (read == 0 && EndedAt == 0)
        {
            EndedAt = Stopwatch.GetTimestamp();
        }

        return read;
    }
}
