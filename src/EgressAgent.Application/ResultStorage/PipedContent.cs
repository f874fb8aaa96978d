using System.IO.Pipelines;

namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// A read-only stream whose bytes a producer writes while the reader reads them, through a pipe
/// that holds at most <see cref="PauseAt"/> bytes: how a stored result reaches an upload
/// gzipped or cut down to its value without ever being whole in memory or on disk a second time.
/// A producer's exception reaches the reader; disposing stops the producer.
/// </summary>
internal sealed class PipedContent : Stream
{
    private const long PauseAt = 1024 * 1024;

    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: PauseAt, resumeWriterThreshold: PauseAt / 2, useSynchronizationContext: false));
    private readonly CancellationTokenSource _stop;
    private readonly Stream _reader;
    private readonly Task _producer;
    private int _disposed;

    private PipedContent(Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _reader = _pipe.Reader.AsStream();
        _producer = Task.Run(() => ProduceAsync(produce, _stop.Token), CancellationToken.None);
    }

    /// <summary>Starts <paramref name="produce"/> writing into the pipe; read the returned stream to the end.</summary>
    public static PipedContent Start(Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken) =>
        new(produce, cancellationToken);

    private async Task ProduceAsync(Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        try
        {
            await using (var writer = _pipe.Writer.AsStream(leaveOpen: true))
            {
                await produce(writer, cancellationToken);
            }

            await _pipe.Writer.CompleteAsync();
        }
        catch (Exception ex)
        {
            // Every failure, out of memory included: the reader must see it rather than wait for ever.
            await _pipe.Writer.CompleteAsync(ex);
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _reader.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _reader.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _reader.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Stops the producer and waits for it: nothing of it runs on after the upload is over.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stop.CancelAsync();
            await _pipe.Reader.CompleteAsync();
            await _producer; // never throws: the producer hands its failure to the pipe
            _stop.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Cancel();
            _pipe.Reader.Complete();
        }

        base.Dispose(disposing);
    }
}
