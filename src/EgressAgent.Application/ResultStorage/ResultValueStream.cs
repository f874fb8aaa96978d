using System.Buffers;
using System.Text.Json;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// A write-only filter that passes on the <c>__mcd_result__</c> value of a stored success,
/// <c>{"__mcd_result__":VALUE,"__mcd_trace_id__":"…"}</c>, and nothing around it: what a
/// <c>response_type: url</c> object holds (docs/protocol.md §13). The writer of results puts the two
/// fields in that order, compactly, so the value is the stored bytes less a known head and tail;
/// both are checked as they pass, and a body of any other shape fails the upload instead of
/// uploading something else (docs/adr/0049).
/// </summary>
internal sealed class ResultValueStream(Stream destination, long bodyLength, string traceId) : Stream
{
    private static readonly byte[] Head = "{\"__mcd_result__\":"u8.ToArray();
    private readonly byte[] _tail = TailOf(traceId);
    private long _position;

    /// <summary><c>,"__mcd_trace_id__":"…"}</c> as the result writer writes it (the same encoder escapes the trace id).</summary>
    private static byte[] TailOf(string traceId)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(OperationResult.TraceIdKey, traceId);
            writer.WriteEndObject();
        }

        return [(byte)',', .. buffer.WrittenSpan[1..]];
    }

    private long ValueEnd => bodyLength - _tail.Length;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var (offset, count) = ValueWithin(buffer.Span);
        return count > 0 ? destination.WriteAsync(buffer.Slice(offset, count), cancellationToken) : ValueTask.CompletedTask;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var (offset, count) = ValueWithin(buffer);
        if (count > 0)
        {
            destination.Write(buffer.Slice(offset, count));
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Checks the head and tail bytes this chunk holds; returns the part of it that is the value.</summary>
    private (int Offset, int Count) ValueWithin(ReadOnlySpan<byte> chunk)
    {
        var start = _position;
        var end = start + chunk.Length;
        if (ValueEnd <= Head.Length || end > bodyLength)
        {
            throw NotASuccess();
        }

        Check(chunk, start, 0, Head);
        Check(chunk, start, ValueEnd, _tail);
        _position = end;
        var from = Math.Max(start, Head.Length);
        var to = Math.Min(end, ValueEnd);
        return to > from ? ((int)(from - start), (int)(to - from)) : (0, 0);
    }

    /// <summary>The part of <paramref name="expected"/> (at <paramref name="at"/> in the body) that this chunk (at <paramref name="start"/>) covers must match.</summary>
    private static void Check(ReadOnlySpan<byte> chunk, long start, long at, byte[] expected)
    {
        var from = Math.Max(start, at);
        var to = Math.Min(start + chunk.Length, at + expected.Length);
        if (to > from && !chunk.Slice((int)(from - start), (int)(to - from)).SequenceEqual(expected.AsSpan((int)(from - at), (int)(to - from))))
        {
            throw NotASuccess();
        }
    }

    /// <summary>Call once every byte was written: a body cut short fails too.</summary>
    public void Complete()
    {
        if (_position != bodyLength)
        {
            throw NotASuccess();
        }
    }

    private static InvalidDataException NotASuccess() =>
        new("The stored result is not a success in the layout the agent writes; its value cannot be uploaded");

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => destination.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
