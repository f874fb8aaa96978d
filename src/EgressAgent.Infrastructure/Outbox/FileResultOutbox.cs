using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// Results under <c>{DataDirectory}/outbox</c>. A small one (a stored entry of at most 64 KiB) is a
/// line of the active segment, appended and fdatasynced in groups (docs/adr/0032); a larger one is
/// a file of its own, written to a temporary name, fsynced, then renamed (docs/adr/0004,
/// docs/adr/0009). Either way <c>AddAsync</c> returns only once the result would survive a
/// kill -9 or a power cut. A write that fails stores nothing a retry would duplicate and recreates
/// missing directories on the next try (docs/adr/0014); files are <c>0600</c>, and corrupt entries
/// go to <c>{DataDirectory}/quarantine</c> (docs/adr/0015). What is pending is read from the disk
/// once, at start, and kept in memory from then on: listing costs no system call.
/// </summary>
internal sealed partial class FileResultOutbox : IResultOutbox, IDisposable
{
    internal const string Extension = ".result.json";
    private const string TemporaryExtension = ".tmp";

    /// <summary>Just-stored results kept in memory for their first delivery, in bytes (docs/adr/0032).</summary>
    private const long CacheLimit = 1024 * 1024;

    /// <summary>How many entries the cache's queue may hold, delivered ones included.</summary>
    private const int MaxCachedEntries = 1024;
    private static ReadOnlySpan<byte> RecordEnd => "}\n"u8;

    private readonly string _directory;
    private readonly string _quarantine;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<FileResultOutbox> _logger;
    private readonly GroupDirectorySync _directorySync;
    private readonly SegmentLog _segments;
    private readonly Lock _indexGate = new();
    private readonly Dictionary<string, OutboxIndexEntry> _index;
    private readonly Queue<OutboxIndexEntry> _cached = new();
    private long _cachedBytes;
    private int _pending;

    private readonly DataDirectoryLock? _dataLock;

    // dataLock: the lock this process holds on the data directory (docs/adr/0020), checked before
    // a new file or directory goes there; null (tests of the outbox alone) checks nothing.
    public FileResultOutbox(IOptions<StorageOptions> options, TimeProvider timeProvider, ILogger<FileResultOutbox> logger, DataDirectoryLock? dataLock = null)
    {
        _dataLock = dataLock;
        _directory = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "outbox");
        _quarantine = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "quarantine");
        _timeProvider = timeProvider;
        _logger = logger;
        _directorySync = new GroupDirectorySync(_directory);
        _segments = new SegmentLog(_directory) { BeforeNewSegment = EnsureDataDirectoryHeld };
        PrivateDirectory.Create(_directory);
        foreach (var leftover in Directory.EnumerateFiles(_directory, "*" + Extension + TemporaryExtension))
        {
            // A crash between write and rename: the worker never saw AddAsync return, so this
            // result was not acknowledged as stored. Removing it loses nothing that was promised.
            // Only names this outbox gives its temporary files: any other file is left alone.
            if (IsTemporaryName(Path.GetFileName(leftover)))
            {
                File.Delete(leftover);
            }
        }

        // Each stored result's remaining time to live is fixed here, from its stored wall-clock age
        // at this moment, and counts down on the monotonic clock from now on (docs/adr/0042).
        var loadedAt = timeProvider.GetUtcNow();
        var loadedStamp = timeProvider.GetTimestamp();
        _index = OutboxRecovery.Read(
            _directory, _quarantine, _segments, (key, createdAt) => OutboxEntry.Loaded(key, createdAt, loadedAt, loadedStamp), logger);
        _pending = _index.Count; // the same entries the publisher will see, so the count can reach zero
        if (_pending > 0)
        {
            OutboxLog.Backlog(_logger, _pending, _directory);
        }
    }

    public int PendingCount => Volatile.Read(ref _pending);

    /// <summary>
    /// Wraps the stream a result reaches the disk through, on both paths (the segment a group is
    /// appended to, a large result's own file); identity in production. Tests put a fault (a full
    /// disk at a chosen byte) between the writer and the file. The wrapper must not buffer.
    /// </summary>
    internal Func<System.IO.Stream, System.IO.Stream> WrapStream
    {
        get => _segments.WrapStream;
        set => _segments.WrapStream = value;
    }

    /// <summary>The segment log's group commit, for tests: its sync hook and its counts.</summary>
    internal SegmentLog Segments => _segments;

    public Task<OutboxEntry> AddAsync(string operationId, JsonObject result, CancellationToken cancellationToken) =>
        AddAsync(operationId, null, writer => result.WriteTo(writer), cancellationToken);

    public Task<OutboxEntry> AddAsync(string operationId, OperationResult result, CancellationToken cancellationToken) =>
        AddAsync(operationId, result.Delivery, writer => result.WriteTo(writer), cancellationToken);

    private async Task<OutboxEntry> AddAsync(string operationId, ResultDelivery? delivery, Action<Utf8JsonWriter> writeResult, CancellationToken cancellationToken)
    {
        // The wall-clock time is stored for the next process; this one counts the result's age from
        // the monotonic timestamp taken with it (docs/protocol.md §10 "Time", docs/adr/0042).
        var createdAt = _timeProvider.GetUtcNow();
        var createdStamp = _timeProvider.GetTimestamp();
        var head = Head(operationId, createdAt.UtcTicks, delivery);
        string? temporary = null;
        FileStream? file = null;
        var spill = new SpillStream(SpillStream.Limit - head.Length - RecordEnd.Length, () =>
        {
            // Outgrew a record: a file of its own, in today's layout, streamed (docs/adr/0009).
            temporary = PathOf($"{createdAt.UtcTicks.ToString("D20", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}") + TemporaryExtension;
            file = CreateTemporary(temporary);
            var wrapped = WrapStream(file);
            wrapped.Write(Head(operationId, createdTicks: null, delivery));
            return wrapped;
        });
        try
        {
            await using (var writer = new Utf8JsonWriter(spill))
            {
                writeResult(writer);
                await writer.FlushAsync(cancellationToken);
            }

            if (spill.Spilled is null)
            {
                return await AppendAsync(operationId, delivery, createdAt, createdStamp, new SegmentRecord(spill.ToArray(head, RecordEnd), head.Length));
            }

            spill.Write("}"u8);
            file!.Flush(flushToDisk: true);
            await file.DisposeAsync();

            // Atomic, and the last step that can fail: a caller that sees an exception may store
            // the result again without a first copy under its own name being published too.
            File.Move(temporary!, temporary![..^TemporaryExtension.Length]);
        }
        catch
        {
            if (file is not null)
            {
                await file.DisposeAsync();
                OutboxFiles.TryDelete(temporary!);
            }

            throw;
        }

        // One directory fsync for every rename that finished while the previous one ran
        // (docs/adr/0029): AddAsync still returns only once the file and its name are durable.
        await _directorySync.FlushAsync();
        var key = Path.GetFileName(temporary)[..^(Extension.Length + TemporaryExtension.Length)];
        var entry = new OutboxEntry(key, createdAt, createdStamp, TimeSpan.Zero);
        lock (_indexGate)
        {
            _index.Add(key, new OutboxIndexEntry(entry));
            _pending++;
        }

        return entry;
    }

    /// <summary><c>&lt;20 digits&gt;-&lt;32 hex digits&gt;.result.json.tmp</c>: the names <see cref="AddAsync(string, ResultDelivery, Action{Utf8JsonWriter}, CancellationToken)"/> gives a large result while it writes it.</summary>
    internal static bool IsTemporaryName(string name) =>
        name.Length == 20 + 1 + 32 + Extension.Length + TemporaryExtension.Length
        && name.EndsWith(Extension + TemporaryExtension, StringComparison.Ordinal)
        && long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out _) && name[20] == '-'
        && Guid.TryParseExact(name.AsSpan(21, 32), "N", out _);

    /// <summary>
    /// <c>{"operation_id":"…","created":ticks,"result":</c> for a segment record,
    /// <c>{"operation_id":"…","result":</c> for a file of its own (the layout of docs/adr/0004),
    /// with <c>"delivery":{…}</c> before <c>"result"</c> when the result has one (docs/adr/0049).
    /// </summary>
    private static byte[] Head(string operationId, long? createdTicks, ResultDelivery? delivery)
    {
        var head = new ArrayBufferWriter<byte>(64 + operationId.Length);
        using (var writer = new Utf8JsonWriter(head))
        {
            writer.WriteStartObject();
            writer.WriteString("operation_id", operationId);
            if (createdTicks is { } ticks)
            {
                writer.WriteNumber("created", ticks);
            }

            if (delivery is not null)
            {
                StoredDelivery.Write(writer, delivery);
            }

            writer.WritePropertyName("result");
        }

        return head.WrittenSpan.ToArray();
    }

    /// <summary>A small result: one line of the active segment, durable when the group it joined is synced.</summary>
    private async Task<OutboxEntry> AppendAsync(string operationId, ResultDelivery? delivery, DateTimeOffset createdAt, long createdStamp, SegmentRecord record)
    {
        await _segments.AppendAsync(record);
        var segment = record.Segment!;
        var entry = new OutboxEntry(KeyOf(createdAt.UtcTicks, segment, record.Offset), createdAt, createdStamp, TimeSpan.Zero);
        var indexed = new OutboxIndexEntry(entry)
        {
            Segment = segment,
            Offset = record.Offset,
            ResultOffset = record.Offset + record.ResultStart,
            ResultLength = record.Result.Length,
            OperationId = operationId,
            Delivery = delivery,
            Cached = record,
        };
        lock (_indexGate)
        {
            _index.Add(entry.Key, indexed);
            _pending++;
            _cached.Enqueue(indexed);
            _cachedBytes += record.Line.Length;
            // The queue also holds entries removed since (their bytes already dropped): bounding its
            // length drops those too, and at worst evicts a live one early (it is then read from
            // its segment), so a result stuck at the head cannot make the queue grow without end.
            while ((_cachedBytes > CacheLimit || _cached.Count > MaxCachedEntries) && _cached.TryDequeue(out var oldest))
            {
                Uncache(oldest);
            }
        }

        return entry;
    }

    /// <summary>The record's key: its creation time first, so keys sort oldest first, then where it is (the same key in every process).</summary>
    internal static string KeyOf(long createdTicks, Segment segment, long offset) =>
        $"{createdTicks.ToString("D20", CultureInfo.InvariantCulture)}-{Path.GetFileNameWithoutExtension(segment.Path)[21..]}-{offset.ToString("D12", CultureInfo.InvariantCulture)}";

    /// <summary>Drops a record's bytes from memory. Call under the index gate.</summary>
    private void Uncache(OutboxIndexEntry entry)
    {
        if (entry.Cached is { } record)
        {
            _cachedBytes -= record.Line.Length;
            entry.Cached = null;
        }
    }

    /// <summary>
    /// The temporary file, recreating the data and outbox directories when they are missing: they
    /// may have been removed, or replaced by a file that is gone again, since the last write
    /// (docs/protocol.md §10, docs/adr/0014). Checked by the create itself, so a healthy write
    /// costs no extra system call (docs/performance.md).
    /// </summary>
    private FileStream CreateTemporary(string temporary)
    {
        EnsureDataDirectoryHeld();
        try
        {
            return new FileStream(temporary, OutboxFiles.PrivateFileOptions(FileMode.CreateNew));
        }
        catch (DirectoryNotFoundException)
        {
            // A file in their place fails here, as it should, until an operator removes it.
            OutboxFiles.CreateOwnerOnlyDirectory(_directory);
            return new FileStream(temporary, OutboxFiles.PrivateFileOptions(FileMode.CreateNew));
        }
    }

    /// <summary>
    /// Before a new file or directory goes into the data directory: throws an <see cref="IOException"/>
    /// (a storage fault: the result waits in memory, health says why) when the directory was
    /// removed or replaced and another process holds it now, so nothing is written where another
    /// process could read it as its own (docs/adr/0020). One open and three readlinks, per new
    /// segment or large result, not per record.
    /// </summary>
    private void EnsureDataDirectoryHeld()
    {
        if (_dataLock?.EnsureHeld() == true)
        {
            OutboxLog.Relocked(_logger, _dataLock.Directory);
        }
    }

    /// <summary>From memory: the outbox read the disk once, at start, and has kept the list since.</summary>
    public IReadOnlyList<OutboxEntry> ListPending()
    {
        List<OutboxEntry> entries;
        lock (_indexGate)
        {
            entries = new List<OutboxEntry>(_index.Count);
            foreach (var indexed in _index.Values)
            {
                entries.Add(indexed.Entry);
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return entries;
    }

    /// <summary>
    /// A segment record comes from memory while it is cached, else as a region of its segment; a
    /// file of its own is read up to where the result starts. Either way the result itself is
    /// streamed from the disk each time it is sent (docs/adr/0004, docs/adr/0009).
    /// </summary>
    public async Task<StoredResult?> LoadAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        OutboxIndexEntry? indexed;
        lock (_indexGate)
        {
            _index.TryGetValue(entry.Key, out indexed);
            if (indexed?.Cached is { } record)
            {
                return new StoredResult(indexed.OperationId!, new MemoryResultBody(record.Result)) { Delivery = indexed.Delivery };
            }
        }

        if (indexed is null)
        {
            // Removed, or quarantined, since it was listed.
            OutboxLog.Unreadable(_logger, entry.Key, nameof(FileNotFoundException));
            return null;
        }

        if (indexed.Segment is { } segment)
        {
            if (!File.Exists(segment.Path))
            {
                Forget(indexed);
                OutboxLog.Unreadable(_logger, entry.Key, nameof(FileNotFoundException));
                return null;
            }

            return new StoredResult(indexed.OperationId!, new FileResultBody(segment.Path, indexed.ResultOffset, indexed.ResultLength)) { Delivery = indexed.Delivery };
        }

        var path = PathOf(entry.Key);
        string problem;
        try
        {
            if (await ResultFile.ReadAsync(path, cancellationToken) is { } stored)
            {
                return stored;
            }

            problem = "UnexpectedLayout";
        }
        catch (FileNotFoundException)
        {
            // Deleted behind the outbox's back: nothing left to deliver, or to wait for at shutdown.
            Forget(indexed);
            OutboxLog.Unreadable(_logger, entry.Key, nameof(FileNotFoundException));
            return null;
        }
        catch (Exception ex) when (ex is JsonException or EndOfStreamException)
        {
            problem = ex.GetType().Name;
        }

        Quarantine(indexed, path, problem);
        return null;
    }

    /// <summary>
    /// Moves a corrupt entry out of the outbox, keeping it for a human to look at (docs/protocol.md §10).
    /// Throws when it cannot: the entry then stays where it is, never deleted unread.
    /// </summary>
    private void Quarantine(OutboxIndexEntry indexed, string path, string problem)
    {
        EnsureDataDirectoryHeld();
        OutboxFiles.CreateOwnerOnlyDirectory(_quarantine);
        var target = Path.Combine(_quarantine, Path.GetFileName(path));
        if (File.Exists(target))
        {
            target += $".{Guid.NewGuid():N}";
        }

        File.Move(path, target);
        Forget(indexed);
        OutboxLog.Quarantined(_logger, indexed.Entry.Key, problem, target);
    }

    /// <summary>Takes an entry out of the list and the count, once.</summary>
    private bool Forget(OutboxIndexEntry indexed)
    {
        lock (_indexGate)
        {
            if (!_index.Remove(indexed.Entry.Key))
            {
                return false;
            }

            Uncache(indexed);
            _pending--;
            return true;
        }
    }

    public void Remove(OutboxEntry entry)
    {
        OutboxIndexEntry? indexed;
        lock (_indexGate)
        {
            // Claimed here, so two removals of one entry acknowledge it once.
            if (!_index.Remove(entry.Key, out indexed))
            {
                return;
            }
        }

        try
        {
            if (indexed.Segment is { } segment)
            {
                AcknowledgeRecord(segment, indexed.Offset);
            }
            else
            {
                // No existence check first: a file already gone is what was asked for.
                File.Delete(PathOf(entry.Key));
            }
        }
        catch
        {
            lock (_indexGate)
            {
                _index.Add(entry.Key, indexed); // still pending: the publisher retries the removal
            }

            throw;
        }

        lock (_indexGate)
        {
            Uncache(indexed);
            _pending--;
        }
    }

    private void AcknowledgeRecord(Segment segment, long offset)
    {
        try
        {
            _segments.Acknowledge(segment, offset);
        }
        catch (IOException) when (!File.Exists(segment.Path))
        {
            // The segment went with its directory (docs/adr/0014): nothing is left to acknowledge.
            _segments.Acknowledge(segment, offset, write: false);
        }
    }

    public void Dispose() => _segments.Close(waiting: () => OutboxLog.CloseWaitsForCommit(_logger, _directory));

    private string PathOf(string key) => Path.Combine(_directory, key + Extension);

}
