using System.Globalization;
using System.Text.Json;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>Reads a segment an earlier process wrote: its records, its torn tail, its corrupt lines (docs/adr/0032).</summary>
internal static class SegmentFile
{
    /// <summary>
    /// No depth limit of its own: a record is ours, so its framing is checked, not its nesting.
    /// Whatever intake accepted and the writer stored can be read back (docs/protocol.md §10
    /// "Corrupt stored results"); a line is at most a record's size (64 KiB), which bounds its depth.
    /// </summary>
    private static readonly JsonReaderOptions RecordOptions = new() { MaxDepth = int.MaxValue };

    /// <summary>A whole record: where its line and its result are, and what it says.</summary>
    public readonly record struct Line(long Offset, string OperationId, long CreatedTicks, long ResultOffset, long ResultLength, ResultDelivery? Delivery);

    /// <summary>
    /// The file's records in order. <paramref name="corrupt"/> gets the offsets of whole lines (ended
    /// by a line feed) that are not records, wherever they are; <paramref name="tornTail"/> the
    /// length of a last line without its line feed (0 when none): only that is a write that never
    /// finished, since every record is written with its line feed in the same write.
    /// </summary>
    public static List<Line> Read(byte[] bytes, List<long> corrupt, out long tornTail)
    {
        var lines = new List<Line>();
        tornTail = 0;
        var start = 0;
        while (start < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
            {
                // Written by a sync that never completed (a crash), so never acknowledged to anyone.
                tornTail = bytes.Length - start;
                break;
            }

            if (Parse(bytes.AsSpan(start, end - start), start) is { } line)
            {
                lines.Add(line);
            }
            else
            {
                // Whole, yet not a record: corrupt, even as the last line. Calling it torn would
                // delete a stored result that this reader merely failed to read.
                corrupt.Add(start);
            }

            start = end + 1;
        }

        return lines;
    }

    /// <summary>The offsets an acks file names; an incomplete last line (a power cut) is not one.</summary>
    public static HashSet<long> ReadAcks(string path)
    {
        var acks = new HashSet<long>();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return acks;
        }

        var start = 0;
        for (var end = Array.IndexOf(bytes, (byte)'\n'); end >= 0; end = Array.IndexOf(bytes, (byte)'\n', start))
        {
            if (long.TryParse(bytes.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                acks.Add(offset);
            }

            start = end + 1;
        }

        return acks;
    }

    /// <summary><c>{"operation_id":"…","created":ticks,["delivery":{…},]"result":{…}}</c> exactly, as one whole JSON document; null otherwise.</summary>
    private static Line? Parse(ReadOnlySpan<byte> line, long offset)
    {
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(RecordOptions));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("operation_id"u8)
                || !reader.Read() || reader.TokenType != JsonTokenType.String)
            {
                return null;
            }

            var operationId = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("created"u8)
                || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var created) || created < 0 || created > DateTimeOffset.MaxValue.UtcTicks
                || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName
                || !StoredDelivery.TryRead(ref reader, out var delivery) || !reader.ValueTextEquals("result"u8)
                || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var resultStart = reader.TokenStartIndex;
            reader.Skip();
            var resultEnd = reader.BytesConsumed;
            return reader.Read() && reader.TokenType == JsonTokenType.EndObject && reader.BytesConsumed == line.Length && !reader.Read()
                ? new Line(offset, operationId, created, offset + resultStart, resultEnd - resultStart, delivery)
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
