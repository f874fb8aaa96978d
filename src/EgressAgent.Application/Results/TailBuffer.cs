namespace EgressAgent.Application.Results;

/// <summary>
/// A write-only stream that keeps only the last <c>capacity</c> bytes written to it: a stored
/// result of any size can be copied through it to read its end, in bounded memory.
/// </summary>
internal sealed class TailBuffer(int capacity) : Stream
{
    private readonly byte[] _ring = new byte[capacity];
    private long _written;

    /// <summary>True when everything written is still held.</summary>
    public bool IsWhole => _written <= capacity;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The bytes held, oldest first.</summary>
    public byte[] ToArray()
    {
        if (IsWhole)
        {
            return _ring[..(int)_written];
        }

        var start = (int)(_written % capacity);
        return [.. _ring.AsSpan(start), .. _ring.AsSpan(0, start)];
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // Bytes that would be overwritten within this very write are skipped, not copied.
        var skip = Math.Max(0, buffer.Length - capacity);
        _written += skip;
        buffer = buffer[skip..];
        while (!buffer.IsEmpty)
        {
            var at = (int)(_written % capacity);
            var chunk = Math.Min(buffer.Length, capacity - at);
            buffer[..chunk].CopyTo(_ring.AsSpan(at));
            _written += chunk;
            buffer = buffer[chunk..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
