using System.Buffers;
using System.Globalization;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.ResultStorage;

/// <summary>A write-only stream into memory that refuses to grow past <paramref name="cap"/> bytes (<c>ResourceExhausted</c>).</summary>
internal sealed class CappedBufferStream(ArrayBufferWriter<byte> target, long cap) : Stream
{
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (target.WrittenCount + (long)buffer.Length > cap)
        {
            throw new OperationFailedException(
                string.Create(CultureInfo.InvariantCulture, $"Resource exhausted: the compressed result is larger than the cap of {cap} bytes an inline result may hold"),
                ErrorKinds.ResourceExhausted);
        }

        target.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => target.WrittenCount;

    public override long Position { get => target.WrittenCount; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
