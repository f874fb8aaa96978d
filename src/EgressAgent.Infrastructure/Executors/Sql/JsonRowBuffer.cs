using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// The rows of a query result kept as compact UTF-8 JSON, one array per row, in 128 KiB chunks:
/// memory stays close to the rows' JSON size, where a node per value would take ten times it
/// (docs/adr/0009). <see cref="ToJsonValue"/> puts the rows into a result without copying them;
/// writing it copies them row by row, flushing the writer as it goes. Disposing ends the adding
/// of rows (it releases the row writer); the rows stay readable.
/// </summary>
internal sealed class JsonRowBuffer : IDisposable
{
    // Above the large object threshold (85,000 bytes): chunks are never copied by a compacting GC.
    private const int ChunkSize = 128 * 1024;
    private const int FlushThreshold = 64 * 1024;

    // A row never contains a raw line feed: compact JSON escapes it inside strings.
    private const byte RowEnd = (byte)'\n';

    private static readonly JsonTypeInfo<JsonRowBuffer> TypeInfo =
        JsonMetadataServices.CreateValueInfo<JsonRowBuffer>(
            new JsonSerializerOptions { TypeInfoResolver = JsonTypeInfoResolver.Combine() }, // the converter needs no other type
            new Converter());

    private readonly List<(byte[] Bytes, int Used)> _chunks = [];
    private readonly ArrayBufferWriter<byte> _row = new(256);
    private readonly Utf8JsonWriter _writer;
    private bool _inRow;

    public JsonRowBuffer() => _writer = new Utf8JsonWriter(_row);

    public int Count { get; private set; }

    /// <summary>The rows' JSON size, without the enclosing brackets and commas.</summary>
    public long ByteCount { get; private set; }

    /// <summary>Starts a row; write its values with the returned writer, then call <see cref="EndRow"/>.</summary>
    public Utf8JsonWriter BeginRow()
    {
        _row.ResetWrittenCount();
        _writer.Reset(_row);
        _writer.WriteStartArray();
        _inRow = true;
        return _writer;
    }

    public void EndRow()
    {
        if (!_inRow)
        {
            throw new InvalidOperationException("EndRow without BeginRow.");
        }

        _writer.WriteEndArray();
        _writer.Flush();
        Append(_row.WrittenSpan);
        _inRow = false;
        Count++;
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>A JSON array node holding these rows by reference.</summary>
    public JsonValue ToJsonValue() => JsonValue.Create(this, TypeInfo)!;

    private void Append(ReadOnlySpan<byte> row)
    {
        var needed = row.Length + 1;
        if (_chunks.Count == 0 || _chunks[^1].Bytes.Length - _chunks[^1].Used < needed)
        {
            _chunks.Add((new byte[Math.Max(ChunkSize, needed)], 0));
        }

        var (bytes, used) = _chunks[^1];
        row.CopyTo(bytes.AsSpan(used));
        bytes[used + row.Length] = RowEnd;
        _chunks[^1] = (bytes, used + needed);
        ByteCount += row.Length;
    }

    private void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var (bytes, used) in _chunks)
        {
            var rest = bytes.AsSpan(0, used);
            while (rest.Length > 0)
            {
                var end = rest.IndexOf(RowEnd);
                writer.WriteRawValue(rest[..end], skipInputValidation: true);
                rest = rest[(end + 1)..];
                if (writer.BytesPending >= FlushThreshold)
                {
                    writer.Flush();
                }
            }
        }

        writer.WriteEndArray();
    }

    private sealed class Converter : JsonConverter<JsonRowBuffer>
    {
        public override JsonRowBuffer Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Rows are written, never read back into a buffer.");

        public override void Write(Utf8JsonWriter writer, JsonRowBuffer value, JsonSerializerOptions options) => value.WriteTo(writer);
    }
}
