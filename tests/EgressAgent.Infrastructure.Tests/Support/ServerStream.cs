using System.Text;
using System.Threading.Channels;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>
/// A response body the test writes into while the agent reads it, like a socket: reads wait for
/// data, honour cancellation, end when the test completes the body and fail when it breaks it.
/// It counts the reads that found nothing to read, which tells the test when the reader has
/// consumed everything written (and so has run its per-read activity hook).
/// </summary>
internal sealed class ServerStream(Action onDisposed) : System.IO.Stream
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
    private readonly Pulse _changed = new();
    private byte[] _current = [];
    private int _offset;
    private Exception? _failure;
    private int _disposed;
    private long _bytesRead;
    private int _emptyReads;

    public bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    public void Send(byte[] bytes) => _chunks.Writer.TryWrite(bytes);

    /// <summary>Sends, then waits until the reader has taken it all and asked for more (or hung up).</summary>
    public async Task SendAndWaitConsumedAsync(string text)
    {
        var before = Volatile.Read(ref _emptyReads);
        Send(text);
        await _changed.WaitUntilAsync(() => Volatile.Read(ref _emptyReads) > before || IsDisposed, "the reader to consume what was sent");
    }

    /// <summary>A clean end of the body: the server closed the stream.</summary>
    public void Complete() => _chunks.Writer.TryComplete();

    /// <summary>The connection breaks: the next read fails with an I/O error.</summary>
    public void Fail()
    {
        _failure = new IOException("connection reset by the test server");
        _chunks.Writer.TryComplete();
    }

    /// <summary>Waits until the reader has asked for bytes: from then on it is reading this body.</summary>
    public Task WaitReadingAsync() => _changed.WaitUntilAsync(() => Volatile.Read(ref _emptyReads) > 0 || IsDisposed, "the agent to start reading the body");

    public Task WaitDisposedAsync() => _changed.WaitUntilAsync(() => IsDisposed, "the agent to close the response");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        while (_offset >= _current.Length)
        {
            if (!_chunks.Reader.TryRead(out var chunk))
            {
                Interlocked.Increment(ref _emptyReads);
                _changed.Notify();
                if (!await _chunks.Reader.WaitToReadAsync(cancellationToken))
                {
                    return _failure is null ? 0 : throw _failure;
                }

                continue;
            }

            _current = chunk;
            _offset = 0;
        }

        var count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        Interlocked.Add(ref _bytesRead, count);
        return count;
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
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _chunks.Writer.TryComplete();
            onDisposed();
            _changed.Notify();
        }

        base.Dispose(disposing);
    }
}
