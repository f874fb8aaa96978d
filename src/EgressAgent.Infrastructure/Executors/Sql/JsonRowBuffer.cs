using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// The rows of a query result kept as compact UTF-8 JSON, one array per row, in 128 KiB chunks:
/// memory stays close to the rows' JSON size, where a node per value would take ten times it
/// (docs/adr/0009). <c>ToJsonValue</c> puts the rows into a result without copying them;
/// writing it copies them row by row, flushing the writer as it goes. Disposing ends the adding
/// of rows (it releases the row writer); the rows stay readable.
/// Past <see cref="DefaultSpillThreshold"/> the rows move to an unlinked temporary file, so a
/// result of any size holds a few MiB of memory, not its whole size (docs/adr/0009). The file is
/// private to the agent's user (<c>0600</c>) from the moment it exists.
/// A DB-API cursor reads the rows from a position onwards (<see cref="ReadRow"/>,
/// <see cref="ToJsonValue(long)"/>): a position is a byte offset into the stored rows, 0 for the first.
/// </summary>
internal sealed class JsonRowBuffer : IDisposable
{
    public const int DefaultSpillThreshold = 4 * 1024 * 1024;

    // Above the large object threshold (85,000 bytes): chunks are never copied by a compacting GC.
    private const int ChunkSize = 128 * 1024;
    private const int FlushThreshold = 64 * 1024;

    // A row never contains a raw line feed: compact JSON escapes it inside strings.
    private const byte RowEnd = (byte)'\n';

    private static readonly JsonTypeInfo<JsonRowBuffer> TypeInfo =
        JsonMetadataServices.CreateValueInfo<JsonRowBuffer>(
            new JsonSerializerOptions { TypeInfoResolver = JsonTypeInfoResolver.Combine() }, // the converter needs no other type
            new Converter());

    private static readonly JsonTypeInfo<Tail> TailTypeInfo =
        JsonMetadataServices.CreateValueInfo<Tail>(
            new JsonSerializerOptions { TypeInfoResolver = JsonTypeInfoResolver.Combine() },
            new TailConverter());

    private readonly List<(byte[] Bytes, int Used)> _chunks = [];
    private readonly ArrayBufferWriter<byte> _row = new(256);
    private readonly Utf8JsonWriter _writer;
    private readonly int _spillThreshold;
    private long _bytesInMemory;
    private FileStream? _spill;
    private bool _inRow;

    public JsonRowBuffer(int spillThreshold = DefaultSpillThreshold)
    {
        _writer = new Utf8JsonWriter(_row);
        _spillThreshold = spillThreshold;
    }

    /// <summary>True once the rows live in a temporary file instead of memory.</summary>
    public bool Spilled => _spill is not null;

    /// <summary>The temporary file's handle once spilled (it has no name left): for tests of its mode.</summary>
    internal Microsoft.Win32.SafeHandles.SafeFileHandle? SpillHandle => _spill?.SafeFileHandle;

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

    /// <summary>The bytes the rows take in memory or in the file, row ends included: the position after the last row.</summary>
    public long EndPosition => _spill?.Length ?? _bytesInMemory;

    /// <summary>A JSON array node holding, by reference, the rows from <paramref name="position"/> on.</summary>
    public JsonValue ToJsonValue(long position) => position == 0 ? ToJsonValue() : JsonValue.Create(new Tail(this, position), TailTypeInfo)!;

    /// <summary>The row at <paramref name="position"/> as a node, and the position after it; null at the end.</summary>
    public JsonArray? ReadRow(ref long position)
    {
        if (position >= EndPosition)
        {
            return null;
        }

        if (_spill is not null)
        {
            return ReadSpilledRow(_spill, ref position);
        }

        var skipped = 0L;
        foreach (var (bytes, used) in _chunks)
        {
            if (position < skipped + used)
            {
                var rest = bytes.AsSpan((int)(position - skipped), (int)(skipped + used - position));
                var end = rest.IndexOf(RowEnd);
                position += end + 1;
                return (JsonArray)JsonNode.Parse(rest[..end])!;
            }

            skipped += used;
        }

        return null;
    }

    private void Append(ReadOnlySpan<byte> row)
    {
        ByteCount += row.Length;
        if (_spill is not null)
        {
            _spill.Write(row);
            _spill.WriteByte(RowEnd);
            return;
        }

        var needed = row.Length + 1;
        if (_chunks.Count == 0 || _chunks[^1].Bytes.Length - _chunks[^1].Used < needed)
        {
            _chunks.Add((new byte[Math.Max(ChunkSize, needed)], 0));
        }

        var (bytes, used) = _chunks[^1];
        row.CopyTo(bytes.AsSpan(used));
        bytes[used + row.Length] = RowEnd;
        _chunks[^1] = (bytes, used + needed);
        _bytesInMemory += needed;
        if (_bytesInMemory >= _spillThreshold)
        {
            Spill();
        }
    }

    /// <summary>
    /// Moves the rows to a temporary file that is unlinked at once: the open handle keeps it
    /// readable, and neither a crash nor a forgotten dispose leaves a file behind; the space is
    /// freed when the handle closes.
    /// </summary>
    private void Spill()
    {
        var path = Path.Combine(Path.GetTempPath(), $"egress-agent-rows-{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Delete,
            BufferSize = FlushThreshold,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // 0600 from creation, whatever the umask
        }

        _spill = new FileStream(path, options);
        File.Delete(path);
        foreach (var (bytes, used) in _chunks)
        {
            _spill.Write(bytes, 0, used);
        }

        _chunks.Clear();
        _bytesInMemory = 0;
    }

    private void WriteTo(Utf8JsonWriter writer, long position = 0)
    {
        writer.WriteStartArray();
        if (_spill is not null)
        {
            WriteSpilledRows(_spill, writer, position);
        }

        var skipped = 0L;
        foreach (var (bytes, used) in _chunks)
        {
            var from = (int)Math.Clamp(position - skipped, 0, used);
            WriteRows(bytes.AsSpan(from, used - from), writer);
            skipped += used;
        }

        writer.WriteEndArray();
    }

    private static JsonArray ReadSpilledRow(FileStream spill, ref long position)
    {
        spill.Flush();
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = RandomAccess.Read(spill.SafeFileHandle, buffer.AsSpan(filled), position + filled);
                if (read == 0)
                {
                    throw new IOException("The spilled rows ended early.");
                }

                var end = buffer.AsSpan(filled, read).IndexOf(RowEnd);
                filled += read;
                if (end >= 0)
                {
                    var length = filled - read + end;
                    position += length + 1;
                    return (JsonArray)JsonNode.Parse(buffer.AsSpan(0, length))!;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes every complete row of <paramref name="rows"/>; returns how many bytes that consumed.</summary>
    private static int WriteRows(ReadOnlySpan<byte> rows, Utf8JsonWriter writer)
    {
        var consumed = 0;
        int end;
        while ((end = rows[consumed..].IndexOf(RowEnd)) >= 0)
        {
            writer.WriteRawValue(rows.Slice(consumed, end), skipInputValidation: true);
            consumed += end + 1;
            if (writer.BytesPending >= FlushThreshold)
            {
                writer.Flush();
            }
        }

        return consumed;
    }

    /// <summary>
    /// Reads the file with positional reads (the write position stays where it is, and the rows
    /// can be written more than once), carrying a row cut by the buffer's end into the next read.
    /// </summary>
    private static void WriteSpilledRows(FileStream spill, Utf8JsonWriter writer, long position)
    {
        spill.Flush();
        var length = spill.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var offset = position;
            var carried = 0;
            while (offset < length)
            {
                if (carried == buffer.Length)
                {
                    // One row longer than the buffer: grow it for this row.
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, carried).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = RandomAccess.Read(spill.SafeFileHandle, buffer.AsSpan(carried), offset);
                if (read == 0)
                {
                    throw new IOException("The spilled rows ended early.");
                }

                offset += read;
                var filled = carried + read;
                var consumed = WriteRows(buffer.AsSpan(0, filled), writer);
                carried = filled - consumed;
                buffer.AsSpan(consumed, carried).CopyTo(buffer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class Converter : JsonConverter<JsonRowBuffer>
    {
        public override JsonRowBuffer Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Rows are written, never read back into a buffer.");

        public override void Write(Utf8JsonWriter writer, JsonRowBuffer value, JsonSerializerOptions options) => value.WriteTo(writer);
    }

    /// <summary>The rows of a buffer from a position on (what a cursor's <c>fetchall</c> returns after <c>fetchone</c>).</summary>
    private sealed record Tail(JsonRowBuffer Rows, long Position);

    private sealed class TailConverter : JsonConverter<Tail>
    {
        public override Tail Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Rows are written, never read back into a buffer.");

        public override void Write(Utf8JsonWriter writer, Tail value, JsonSerializerOptions options) => value.Rows.WriteTo(writer, value.Position);
    }
}
