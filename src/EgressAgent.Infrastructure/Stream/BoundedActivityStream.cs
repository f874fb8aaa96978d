namespace EgressAgent.Infrastructure.Stream;

/// <summary>
/// Wraps the raw SSE body. Every byte read is activity for the idle watchdog — comments
/// included, which <c>SseParser</c> hides — and one message may not grow past a bound, because
/// the parser buffers a message whole before handing it over.
/// </summary>
internal sealed class BoundedActivityStream(System.IO.Stream inner, Action onActivity, int maxMessageBytes) : System.IO.Stream
{
    private long _messageBytes;
    private long _lineBytes;
    private bool _afterCarriageReturn;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        if (read > 0)
        {
            onActivity();
            Account(buffer.Span[..read]);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Counts bytes since the last blank line (a message boundary); CR, LF and CRLF all end a line.</summary>
    private void Account(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b == (byte)'\n' && _afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                continue;
            }

            _afterCarriageReturn = b == (byte)'\r';
            if (b is (byte)'\n' or (byte)'\r')
            {
                if (_lineBytes == 0)
                {
                    _messageBytes = 0;
                }

                _lineBytes = 0;
                continue;
            }

            _lineBytes++;
            if (++_messageBytes > maxMessageBytes)
            {
                throw new InvalidDataException($"A stream message exceeded {maxMessageBytes} bytes; dropping the connection.");
            }
        }
    }
}
