using System.Globalization;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// One append-only file of result records, <c>outbox/&lt;ticks&gt;-&lt;guid&gt;.segment</c>, and its
/// delivery acknowledgements, <c>&lt;segment&gt;.acks</c>: the offsets of records delivered (or
/// given up), one decimal line each (docs/adr/0032). Its counts are kept by <see cref="SegmentLog"/>.
/// </summary>
internal sealed class Segment(string path)
{
    public const string Extension = ".segment";
    public const string AcksExtension = ".acks";

    private readonly Lock _acksGate = new();
    private FileStream? _acks;

    public string Path { get; } = path;

    public string AcksPath => Path + AcksExtension;

    /// <summary>The file records are appended to, while this process appends to it; null once it stopped.</summary>
    public FileStream? Writer { get; set; }

    /// <summary>Where the next record goes: the end of the last record whose sync succeeded.</summary>
    public long Length { get; set; }

    /// <summary>Records stored and not yet acknowledged as delivered.</summary>
    public int Live { get; set; }

    /// <summary>Whether records may still be appended: the segment cannot be deleted while it is.</summary>
    public bool Active { get; set; }

    /// <summary>Never deleted: it holds corrupt lines that could not be copied to quarantine.</summary>
    public bool Keep { get; set; }

    /// <summary>
    /// Notes the record at <paramref name="offset"/> as delivered with one write and no sync: a
    /// kill -9 keeps it (the page cache survives the process); a power cut may lose it, and the
    /// result is then PUT once more, which E2 allows (docs/adr/0032).
    /// </summary>
    public void Acknowledge(long offset)
    {
        Span<byte> line = stackalloc byte[24];
        offset.TryFormat(line, out var written, default, CultureInfo.InvariantCulture);
        line[written++] = (byte)'\n';
        lock (_acksGate)
        {
            _acks ??= OpenAcks(Path, AcksPath);
            _acks.Write(line[..written]);
        }
    }

    /// <summary>
    /// The acks file of <paramref name="segment"/>, positioned at its end, with a partial last line cut off first: an append an
    /// earlier process did not finish (a crash, a power cut) would otherwise run into the next ack
    /// and read as another record's offset, one record then lost and one delivered twice.
    /// </summary>
    private static FileStream OpenAcks(string segment, string path)
    {
        if (!File.Exists(segment))
        {
            // Gone with its directory (docs/adr/0014): acks of nothing would only be left in a
            // directory that may be made anew, even another process's.
            throw new FileNotFoundException("The segment is gone.", segment);
        }

        var options = OutboxFiles.PrivateFileOptions(FileMode.OpenOrCreate);
        options.Access = FileAccess.ReadWrite;
        var acks = new FileStream(path, options);
        try
        {
            var whole = WholeLinesLength(acks);
            if (whole != acks.Length)
            {
                acks.SetLength(whole);
            }

            acks.Seek(0, SeekOrigin.End);
            return acks;
        }
        catch
        {
            acks.Dispose();
            throw;
        }
    }

    /// <summary>Where the last line feed of <paramref name="file"/> ends: its length when it ends in one, 0 when it has none.</summary>
    private static long WholeLinesLength(FileStream file)
    {
        Span<byte> chunk = stackalloc byte[64];
        for (var end = file.Length; end > 0;)
        {
            var size = (int)Math.Min(chunk.Length, end);
            var read = RandomAccess.Read(file.SafeFileHandle, chunk[..size], end - size);
            var at = chunk[..read].LastIndexOf((byte)'\n');
            if (at >= 0)
            {
                return end - size + at + 1;
            }

            end -= size;
        }

        return 0;
    }

    /// <summary>Closes the files; with <paramref name="delete"/>, removes them too (the segment first: acks without their segment mean nothing).</summary>
    public void Close(bool delete)
    {
        Writer?.Dispose();
        Writer = null;
        lock (_acksGate)
        {
            _acks?.Dispose();
            _acks = null;
        }

        if (delete)
        {
            File.Delete(Path);
            File.Delete(AcksPath);
        }
    }
}
