using System.Buffers;
using System.Globalization;
using EgressAgent.Infrastructure.Storage;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// Group commit of small results into the active segment (docs/adr/0032). An uncontended caller
/// appends its record and syncs it on its own thread; callers that arrive while a commit runs join
/// the next group, which one thread writes with one write and one fdatasync before completing them
/// all. <see cref="AppendAsync"/> completes only once its record's sync did. A failed write or sync
/// fails every member of its group and abandons the segment: nothing is appended to it again.
/// </summary>
internal sealed class SegmentLog
{
    /// <summary>Past this size the active segment is closed and the next record starts a new one.</summary>
    public const long DefaultRotateAt = 4 * 1024 * 1024;

    private readonly string _directory;
    private readonly GroupCommit<SegmentRecord> _groups;
    private readonly Lock _gate = new();

    /// <summary>Held for a whole commit, and by <see cref="Close"/>: a close never closes (or deletes) a segment a commit is writing or syncing.</summary>
    private readonly Lock _commitGate = new();
    private Segment? _active;
    private long _syncs;
    private long _records;

    public SegmentLog(string directory)
    {
        _directory = directory;
        _groups = new GroupCommit<SegmentRecord>(Commit);
    }

    /// <summary>Wraps the stream a group is written through; identity in production (see <see cref="FileResultOutbox.WrapStream"/>).</summary>
    public Func<System.IO.Stream, System.IO.Stream> WrapStream { get; set; } = static stream => stream;

    /// <summary>The size past which the active segment is closed; tests make it small.</summary>
    public long RotateAt { get; set; } = DefaultRotateAt;

    /// <summary>Makes a segment's appended bytes durable; tests put a fault or a gate here.</summary>
    public Action<FileStream> SyncData { get; set; } = DataSync.Flush;

    /// <summary>
    /// Runs before a new segment is created: throws when the data directory is no longer this
    /// process's to write in (<see cref="DataDirectoryLock.EnsureHeld"/>); nothing by default.
    /// </summary>
    public Action BeforeNewSegment { get; set; } = static () => { };

    /// <summary>How many syncs ran: with <see cref="Records"/>, the size of the groups.</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>How many records were stored.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>The segments that still hold records not yet acknowledged, or that records go to.</summary>
    public List<Segment> Segments { get; } = [];

    /// <summary>Completes once <paramref name="record"/> is durable, with its segment and offset set; faults with the write's or the sync's error.</summary>
    public Task AppendAsync(SegmentRecord record) => _groups.CommitAsync(record);

    /// <summary>Takes in a segment an earlier process wrote: read only, deleted once its last record is acknowledged.</summary>
    public void Adopt(Segment segment)
    {
        lock (_gate)
        {
            Segments.Add(segment);
        }
    }

    /// <summary>Notes a record as delivered; a segment no longer appended to goes once all its records are.</summary>
    public void Acknowledge(Segment segment, long offset, bool write = true)
    {
        if (write)
        {
            segment.Acknowledge(offset);
        }

        lock (_gate)
        {
            segment.Live--;
            if (segment.Live == 0 && !segment.Active)
            {
                Retire(segment);
            }
        }
    }

    /// <summary>
    /// Closes every segment, deleting those with nothing left to deliver (a graceful stop leaves an
    /// empty outbox). A commit in progress is waited for; <paramref name="waiting"/> runs first
    /// then, so that a close held by a stalled volume says so.
    /// </summary>
    public void Close(Action? waiting = null)
    {
        // Waits for a commit in progress: closing under it would fail a sync that was about to
        // succeed, or delete the segment (no record counted in it yet) under records it is storing.
        if (!_commitGate.TryEnter())
        {
            waiting?.Invoke();
            _commitGate.Enter();
        }

        try
        {
            CloseSegments();
        }
        finally
        {
            _commitGate.Exit();
        }
    }

    private void CloseSegments()
    {
        lock (_gate)
        {
            foreach (var segment in Segments.ToList())
            {
                segment.Active = false;
                if (segment.Live == 0)
                {
                    Retire(segment);
                }
                else
                {
                    segment.Close(delete: false);
                }
            }

            _active = null;
        }
    }

    /// <summary>One write and one sync for <paramref name="records"/>; runs on one thread at a time.</summary>
    private void Commit(IReadOnlyList<SegmentRecord> records)
    {
        lock (_commitGate)
        {
            CommitLocked(records);
        }
    }

    private void CommitLocked(IReadOnlyList<SegmentRecord> records)
    {
        var segment = ActiveSegment();
        var start = segment.Length;
        var total = 0;
        foreach (var record in records)
        {
            total += record.Line.Length;
        }

        var gathered = records.Count == 1 ? records[0].Line : ArrayPool<byte>.Shared.Rent(total);
        try
        {
            if (records.Count > 1)
            {
                var at = 0;
                foreach (var record in records)
                {
                    record.Line.CopyTo(gathered, at);
                    at += record.Line.Length;
                }
            }

            // Not disposed: the wrapper is a view of the segment's own stream, which stays open.
            WrapStream(segment.Writer!).Write(gathered, 0, total);
            Interlocked.Increment(ref _syncs);
            SyncData(segment.Writer!);
        }
        catch
        {
            Abandon(segment, start);
            throw;
        }
        finally
        {
            if (records.Count > 1)
            {
                ArrayPool<byte>.Shared.Return(gathered);
            }
        }

        var offset = start;
        foreach (var record in records)
        {
            record.Segment = segment;
            record.Offset = offset;
            offset += record.Line.Length;
        }

        Interlocked.Add(ref _records, records.Count);
        lock (_gate)
        {
            segment.Length = offset;
            segment.Live += records.Count;
            if (segment.Length >= RotateAt)
            {
                segment.Active = false;
                segment.Writer?.Dispose();
                segment.Writer = null;
                _active = null;
            }
        }
    }

    /// <summary>
    /// The segment to append to, opening a new one when there is none or the one there was is gone
    /// from the disk (its directory removed under the agent: what is appended there would be lost).
    /// One stat per group, not per result.
    /// </summary>
    private Segment ActiveSegment()
    {
        if (_active is { } active)
        {
            if (File.Exists(active.Path))
            {
                return active;
            }

            Abandon(active, active.Length);
        }

        // A new segment, or the directory recreated for it, must not go into a data directory
        // another process could lock: removed and made anew under this one (docs/adr/0020).
        BeforeNewSegment();
        var name = $"{DateTime.UtcNow.Ticks.ToString("D20", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}{Segment.Extension}";
        var segment = new Segment(Path.Combine(_directory, name)) { Active = true };
        try
        {
            segment.Writer = new FileStream(segment.Path, OutboxFiles.PrivateFileOptions(FileMode.CreateNew));
        }
        catch (DirectoryNotFoundException)
        {
            // Removed since the last write (docs/adr/0014); a file in its place fails here, as it should.
            PrivateDirectory.Create(Path.GetDirectoryName(_directory)!);
            PrivateDirectory.Create(_directory);
            segment.Writer = new FileStream(segment.Path, OutboxFiles.PrivateFileOptions(FileMode.CreateNew));
        }

        // The segment's name is durable before any record in it is acknowledged.
        DirectorySync.Flush(_directory);
        lock (_gate)
        {
            Segments.Add(segment);
            _active = segment;
        }

        return segment;
    }

    /// <summary>
    /// Never appended to again: a failed sync may have left the file's pages in any state. What the
    /// failed group wrote is cut off when the file allows it; the records acknowledged before stay.
    /// </summary>
    private void Abandon(Segment segment, long goodLength)
    {
        try
        {
            segment.Writer?.SetLength(goodLength);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a later start may find the failed group's lines whole and deliver them
            // too; E2 is an idempotent PUT (docs/adr/0032).
        }

        lock (_gate)
        {
            segment.Active = false;
            _active = null;
            segment.Writer?.Dispose();
            segment.Writer = null;
            if (segment.Live == 0)
            {
                Retire(segment);
            }
        }
    }

    /// <summary>Deletes a segment no longer appended to whose records are all acknowledged. Call under the gate.</summary>
    private void Retire(Segment segment)
    {
        Segments.Remove(segment);
        try
        {
            segment.Close(delete: !segment.Keep);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next start, which finds every record acknowledged and deletes it then.
        }
    }
}
