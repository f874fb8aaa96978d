namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>
/// Passes writes through to <paramref name="inner"/> until <paramref name="failAt"/> bytes went
/// through, then fails as a full disk does: the bytes before the limit are written, the write
/// that crosses it throws <c>IOException("No space left on device")</c>, and so does every later one.
/// <paramref name="onFault"/> runs just before the throw (to look at the directory at that moment).
/// </summary>
internal sealed class FullDiskStream(System.IO.Stream inner, long failAt, Action? onFault = null) : System.IO.Stream
{
    private long _written;

    public int Faults { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var room = (int)Math.Max(0, Math.Min(buffer.Length, failAt - _written));
        inner.Write(buffer[..room]);
        _written += room;
        if (room < buffer.Length)
        {
            inner.Flush(); // what fitted is on disk, as on a real device that filled up
            Faults++;
            onFault?.Invoke();
            throw new IOException("No space left on device");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
