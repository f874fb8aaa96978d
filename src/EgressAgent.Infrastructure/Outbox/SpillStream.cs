namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// Where a result is serialised: in memory up to <paramref name="limit"/> bytes (a record for the
/// segment log), and past that into the stream <paramref name="spill"/> opens, which gets what
/// was buffered and then everything after it as it comes: a large result is never held whole in
/// memory (docs/adr/0009, docs/adr/0032).
/// </summary>
internal sealed class SpillStream(int limit, Func<System.IO.Stream> spill) : System.IO.Stream
{
    /// <summary>The largest record, head and line feed included, the segment log takes.</summary>
    public const int Limit = 64 * 1024;

    private byte[] _buffer = [];
    private int _buffered;
    private long _length;

    /// <summary>The stream everything went to once the result outgrew memory; null while it fits.</summary>
    public System.IO.Stream? Spilled { get; private set; }

    /// <summary>What was written, while it fits in memory.</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(0, _buffered);

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>The buffered bytes between <paramref name="before"/> and <paramref name="after"/>, as one array: a record's line.</summary>
    public byte[] ToArray(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after)
    {
        var bytes = new byte[before.Length + _buffered + after.Length];
        before.CopyTo(bytes);
        Buffered.CopyTo(bytes.AsSpan(before.Length));
        after.CopyTo(bytes.AsSpan(before.Length + _buffered));
        return bytes;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Spilled is null && _buffered + buffer.Length > limit)
        {
            Spilled = spill();
            Spilled.Write(Buffered);
            _buffer = [];
            _buffered = 0;
        }

        if (Spilled is not null)
        {
            Spilled.Write(buffer);
        }
        else
        {
            if (_buffered + buffer.Length > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Min(limit, Math.Max(_buffered + buffer.Length, _buffer.Length * 2)));
            }

            buffer.CopyTo(_buffer.AsSpan(_buffered));
            _buffered += buffer.Length;
        }

        _length += buffer.Length;
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

    public override void Flush() => Spilled?.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => Spilled?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
