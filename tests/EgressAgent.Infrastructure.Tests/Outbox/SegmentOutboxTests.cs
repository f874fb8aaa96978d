using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Infrastructure.Outbox;
using EgressAgent.Infrastructure.Storage;
using EgressAgent.Infrastructure.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>
/// docs/adr/0032: small results are records of an append-only segment, synced in groups; a
/// delivery appends an ack; a new process reads records minus acks, ignores a torn tail, and
/// quarantines a copy of a segment with a corrupt line while still delivering its good records.
/// </summary>
public sealed class SegmentOutboxTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("egress-outbox-segments-").FullName;
    private readonly RecordingLogger<FileResultOutbox> _logger = new();

    private string OutboxDirectory => Path.Combine(_dataDirectory, "outbox");

    private string[] SegmentFiles => Directory.GetFiles(OutboxDirectory, "*.segment");

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task Results_that_arrive_while_a_sync_runs_share_the_next_one_and_none_is_acknowledged_before_its_sync()
    {
        using var firstSyncStarted = new ManualResetEventSlim();
        using var releaseFirstSync = new ManualResetEventSlim();
        var syncs = 0;
        var outbox = NewOutbox();
        outbox.Segments.SyncData = handle =>
        {
            if (Interlocked.Increment(ref syncs) == 1)
            {
                firstSyncStarted.Set();
                releaseFirstSync.Wait(Bound);
            }

            DataSync.Flush(handle);
        };

        var leader = Task.Run(() => outbox.AddAsync("op-leader", new JsonObject { ["n"] = -1 }, CancellationToken.None));
        Assert.True(firstSyncStarted.Wait(Bound));
        // AddAsync returns its task only once the record has joined the group waiting for the
        // next sync, so counting returns tells when all 63 are queued: releasing the first sync
        // before that (a loaded machine) would let late arrivals make groups of their own.
        using var queued = new CountdownEvent(63);
        var followers = Enumerable.Range(0, 63)
            .Select(i => Task.Run(() =>
            {
                var added = outbox.AddAsync($"op-{i}", new JsonObject { ["n"] = i }, CancellationToken.None);
                queued.Signal();
                return added;
            }))
            .ToList();

        Assert.True(queued.Wait(Bound), "not every follower reached the group commit");
        Assert.False(leader.IsCompleted);
        Assert.All(followers, t => Assert.False(t.IsCompleted)); // written or not, none is durable yet
        Assert.Equal(0, outbox.PendingCount);

        releaseFirstSync.Set();
        var entries = await Task.WhenAll(followers.Prepend(leader)).WaitAsync(Bound);

        Assert.Equal(64, outbox.Segments.Records);
        Assert.True(outbox.Segments.Syncs <= 8, $"{outbox.Segments.Syncs} syncs for 64 results");
        Assert.Equal(64, outbox.PendingCount);
        Assert.Equal(entries.OrderBy(e => e.Key, StringComparer.Ordinal), outbox.ListPending());
        var restarted = NewOutbox();
        Assert.Equal(64, restarted.PendingCount);
        string[] expected = ["op-leader", .. Enumerable.Range(0, 63).Select(i => $"op-{i}")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), await OperationIdsAsync(restarted));
        Assert.Single(SegmentFiles);
    }

    [Fact]
    public async Task A_restart_lists_the_records_not_acknowledged_and_loads_them_from_the_segment()
    {
        var outbox = NewOutbox();
        var first = await outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        var second = await outbox.AddAsync("op-2", new JsonObject { ["n"] = 2 }, CancellationToken.None);
        var third = await outbox.AddAsync("op-3", new JsonObject { ["n"] = 3 }, CancellationToken.None);
        outbox.Remove(second);

        var restarted = NewOutbox();

        Assert.Equal([first, third], restarted.ListPending());
        Assert.Equal(2, restarted.PendingCount);
        var loaded = await restarted.LoadAsync(third, CancellationToken.None);
        Assert.Equal("op-3", loaded!.OperationId);
        Assert.Equal("{\"n\":3}", await loaded.Body.ReadStringAsync());
        Assert.Null(await restarted.LoadAsync(second, CancellationToken.None));
    }

    [Fact]
    public async Task A_torn_last_record_is_ignored_with_a_warning_and_the_next_process_writes_a_new_segment()
    {
        var outbox = NewOutbox();
        var stored = await outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        var segment = Assert.Single(SegmentFiles);
        await File.AppendAllTextAsync(segment, "{\"operation_id\":\"op-torn\",\"created\":1,\"result\":{\"n\":");
        var length = new FileInfo(segment).Length;

        var restarted = NewOutbox();
        var later = await restarted.AddAsync("op-2", new JsonObject { ["n"] = 2 }, CancellationToken.None);

        Assert.Equal(InKeyOrder(stored, later), restarted.ListPending()); // one tick, two segments: the order is the keys'

        Assert.Contains(_logger.Records, r => r.Level == LogLevel.Warning && r.Message.Contains(segment, StringComparison.Ordinal) && r.Message.Contains("incomplete", StringComparison.Ordinal));
        Assert.Equal(2, SegmentFiles.Length);
        Assert.Equal(length, new FileInfo(segment).Length); // never appended to again
        Assert.False(Directory.Exists(Path.Combine(_dataDirectory, "quarantine")));
        Assert.Equal(["op-1", "op-2"], await OperationIdsAsync(NewOutbox()));
    }

    [Fact]
    public async Task A_corrupt_record_between_good_ones_is_quarantined_with_its_segment_and_the_good_ones_are_still_delivered()
    {
        var outbox = NewOutbox();
        await outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        await outbox.AddAsync("op-2", new JsonObject { ["n"] = 2 }, CancellationToken.None);
        outbox.Dispose();
        var segment = Assert.Single(SegmentFiles);
        var lines = (await File.ReadAllTextAsync(segment)).Split('\n');
        var content = $"{lines[0]}\n{{\"operation_id\":\"op-bad\",\"result\":\n{lines[1]}\n";
        await File.WriteAllTextAsync(segment, content);

        var restarted = NewOutbox();

        Assert.Equal(["op-1", "op-2"], await OperationIdsAsync(restarted));
        var kept = Path.Combine(_dataDirectory, "quarantine", Path.GetFileName(segment));
        Assert.Equal(content, await File.ReadAllTextAsync(kept));
        Assert.Contains(_logger.Records, r => r.Level == LogLevel.Error && r.Message.Contains("is corrupt", StringComparison.Ordinal) && r.Message.Contains(kept, StringComparison.Ordinal));
        Assert.Equal(2, restarted.PendingCount);
    }

    /// <summary>
    /// docs/protocol.md §10: whatever was stored can be read back. Recovery once read records with
    /// System.Text.Json's default depth (64), called a deeper last record a torn tail and deleted
    /// the segment with it.
    /// </summary>
    [Theory]
    [InlineData(64)]
    [InlineData(300)]
    public async Task A_result_nested_deeper_than_the_default_json_depth_is_read_back_after_a_restart(int depth)
    {
        var outbox = NewOutbox();
        var before = await outbox.AddAsync("op-before", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        var deep = await outbox.AddAsync("op-deep", Nested(depth), CancellationToken.None);
        var written = await (await outbox.LoadAsync(deep, CancellationToken.None))!.Body.ReadStringAsync();
        var segment = Assert.Single(SegmentFiles);

        var restarted = NewOutbox();

        Assert.Equal(InKeyOrder(before, deep), restarted.ListPending());
        var loaded = await restarted.LoadAsync(deep, CancellationToken.None);
        Assert.Equal("op-deep", loaded!.OperationId);
        Assert.Equal(written, await loaded.Body.ReadStringAsync());
        Assert.True(File.Exists(segment));
        Assert.DoesNotContain(_logger.Records, r => r.Level >= LogLevel.Warning);
        Assert.False(Directory.Exists(Path.Combine(_dataDirectory, "quarantine")));
    }

    [Fact]
    public async Task A_whole_last_line_that_is_not_a_record_is_corrupt_not_torn_and_the_segment_is_quarantined_not_deleted()
    {
        var outbox = NewOutbox();
        await outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        var segment = Assert.Single(SegmentFiles);
        await File.AppendAllTextAsync(segment, "{\"operation_id\":\"op-bad\",\"created\":1,\"result\":{\"n\":}}\n");
        var content = await File.ReadAllTextAsync(segment);

        var restarted = NewOutbox();

        Assert.Equal(["op-1"], await OperationIdsAsync(restarted));
        var kept = Path.Combine(_dataDirectory, "quarantine", Path.GetFileName(segment));
        Assert.Equal(content, await File.ReadAllTextAsync(kept));
        Assert.Contains(_logger.Records, r => r.Level == LogLevel.Error && r.Message.Contains("is corrupt", StringComparison.Ordinal) && r.Message.Contains(kept, StringComparison.Ordinal));
        Assert.DoesNotContain(_logger.Records, r => r.Message.Contains("incomplete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_segment_holding_only_a_corrupt_whole_line_is_kept_in_quarantine_and_never_deleted_unread()
    {
        Directory.CreateDirectory(OutboxDirectory);
        var segment = Path.Combine(OutboxDirectory, $"{new string('0', 19)}1-{Guid.NewGuid():N}.segment");
        await File.WriteAllTextAsync(segment, "{\"operation_id\":\"op-bad\",\"created\":1,\"result\":{\"n\"\n");

        var restarted = NewOutbox();

        Assert.Equal(0, restarted.PendingCount);
        Assert.True(File.Exists(Path.Combine(_dataDirectory, "quarantine", Path.GetFileName(segment))), "the only copy of the line was deleted");
        Assert.Contains(_logger.Records, r => r.Level == LogLevel.Error && r.Message.Contains("is corrupt", StringComparison.Ordinal));
    }

    /// <summary>
    /// docs/adr/0032: acks are appended without a sync, so a crash (or a power cut) can leave a
    /// partial last line. Appending to it unrepaired joins the next ack onto it: here the partial
    /// line is the first digits of op-10's offset and the next ack is op-0's, offset 0, so the file
    /// would name op-10 (lost) and not op-0 (delivered again).
    /// </summary>
    [Fact]
    public async Task A_partial_ack_line_left_by_a_crash_is_cut_off_before_the_next_ack_so_no_record_is_lost_or_delivered_twice()
    {
        var outbox = NewOutbox();
        var stored = new List<EgressAgent.Application.Results.OutboxEntry>();
        for (var i = 0; i <= 10; i++)
        {
            stored.Add(await outbox.AddAsync($"op-{i}", new JsonObject { ["n"] = 10 + i }, CancellationToken.None)); // lines of one length
        }

        var segment = Assert.Single(SegmentFiles);
        var starts = LineStarts(await File.ReadAllBytesAsync(segment));
        Assert.Equal(0, starts[10] % 10); // premise: "<digits>" + "0" names op-10
        var partial = starts[10].ToString(System.Globalization.CultureInfo.InvariantCulture)[..^1];
        await File.WriteAllTextAsync(segment + ".acks", partial); // the crash: an ack line without its line feed

        var restarted = NewOutbox();
        Assert.Equal(11, restarted.PendingCount);
        restarted.Remove(stored[0]); // offset 0
        restarted.Remove(stored[1]);

        var again = NewOutbox();

        Assert.Equal(Enumerable.Range(2, 9).Select(i => $"op-{i}").Order(StringComparer.Ordinal), await OperationIdsAsync(again));
        Assert.Equal($"0\n{starts[1]}\n", await File.ReadAllTextAsync(segment + ".acks"));
    }

    [Fact]
    public async Task A_failed_sync_fails_every_member_of_its_group_and_the_next_result_goes_to_a_new_segment_stored_once()
    {
        using var firstSyncStarted = new ManualResetEventSlim();
        using var releaseFirstSync = new ManualResetEventSlim();
        var syncs = 0;
        var outbox = NewOutbox();
        outbox.Segments.SyncData = handle =>
        {
            switch (Interlocked.Increment(ref syncs))
            {
                case 1:
                    firstSyncStarted.Set();
                    releaseFirstSync.Wait(Bound);
                    break;
                case 2:
                    throw new IOException("Input/output error");
            }

            DataSync.Flush(handle);
        };

        var leader = Task.Run(() => outbox.AddAsync("op-leader", new JsonObject(), CancellationToken.None));
        Assert.True(firstSyncStarted.Wait(Bound));
        using var queued = new CountdownEvent(10); // all ten in the group the second sync fails, not in later ones
        var group = Enumerable.Range(0, 10).Select(i => Task.Run(() =>
        {
            var added = outbox.AddAsync($"op-{i}", new JsonObject(), CancellationToken.None);
            queued.Signal();
            return added;
        })).ToList();
        Assert.True(queued.Wait(Bound), "not every member reached the group commit");
        releaseFirstSync.Set();

        var stored = await leader.WaitAsync(Bound);
        foreach (var member in group)
        {
            var fault = await Assert.ThrowsAnyAsync<IOException>(() => member.WaitAsync(Bound));
            Assert.Equal("Input/output error", fault.Message);
        }

        Assert.Equal([stored], outbox.ListPending());
        Assert.Equal(1, outbox.PendingCount);
        var retried = await outbox.AddAsync("op-0", new JsonObject(), CancellationToken.None); // what DurableResultWriter does
        Assert.Equal(InKeyOrder(stored, retried), outbox.ListPending());
        Assert.Equal(2, SegmentFiles.Length); // the failed one is never appended to again

        Assert.Equal(["op-0", "op-leader"], await OperationIdsAsync(NewOutbox()));
    }

    [Fact]
    public async Task A_full_disk_while_a_record_is_appended_stores_nothing_and_the_next_write_stores_it_once()
    {
        var outbox = NewOutbox();
        var first = await outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        var firstSegment = Assert.Single(SegmentFiles);
        var goodLength = new FileInfo(firstSegment).Length;
        outbox.WrapStream = file => new FullDiskStream(file, 10);

        var fault = await Assert.ThrowsAnyAsync<IOException>(() => outbox.AddAsync("op-2", new JsonObject { ["n"] = 2 }, CancellationToken.None));

        Assert.Equal("No space left on device", fault.Message);
        Assert.Equal([first], outbox.ListPending());
        Assert.Equal(goodLength, new FileInfo(Assert.Single(SegmentFiles)).Length); // cut back to its last good length

        outbox.WrapStream = file => file; // space freed
        var second = await outbox.AddAsync("op-2", new JsonObject { ["n"] = 2 }, CancellationToken.None);

        Assert.Equal(InKeyOrder(first, second), outbox.ListPending()); // one tick, two segments: the order is the keys'
        Assert.Equal(["op-1", "op-2"], await OperationIdsAsync(NewOutbox()));
        Assert.False(Directory.Exists(Path.Combine(_dataDirectory, "quarantine")));
    }

    [Fact]
    public async Task A_store_after_the_outbox_directory_was_removed_goes_to_a_new_segment_in_the_recreated_directory_not_the_unlinked_one()
    {
        var outbox = NewOutbox();
        await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        Directory.Delete(OutboxDirectory, recursive: true);

        var later = await outbox.AddAsync("op-2", new JsonObject(), CancellationToken.None);

        Assert.Single(SegmentFiles);
        Assert.Equal([later], NewOutbox().ListPending()); // durable where a restart looks for it
    }

    /// <summary>
    /// A graceful stop closes the segments while a worker may still be storing a result: the close
    /// must wait for the commit in progress, not dispose (or, with no record counted in it yet,
    /// delete) the segment under the write and sync that are storing it.
    /// </summary>
    [Fact]
    public async Task A_close_while_a_group_commit_syncs_waits_for_it_and_the_record_is_stored()
    {
        using var syncStarted = new ManualResetEventSlim();
        using var releaseSync = new ManualResetEventSlim();
        var outbox = NewOutbox();
        outbox.Segments.SyncData = handle =>
        {
            syncStarted.Set();
            releaseSync.Wait(Bound);
            DataSync.Flush(handle);
        };

        var storing = Task.Run(() => outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None));
        Assert.True(syncStarted.Wait(Bound));
        var closing = Task.Run(outbox.Dispose);

        await Task.WhenAny(closing, Task.Delay(300));
        Assert.False(closing.IsCompleted, "the close did not wait for the commit in progress");
        releaseSync.Set();
        var stored = await storing.WaitAsync(Bound);
        await closing.WaitAsync(Bound);

        var restarted = NewOutbox();
        Assert.Equal([stored], restarted.ListPending());
        Assert.Equal("op-1", (await restarted.LoadAsync(stored, CancellationToken.None))!.OperationId);
    }

    [Fact]
    public async Task A_segment_no_longer_appended_to_is_deleted_with_its_acks_once_every_record_is_delivered()
    {
        var outbox = NewOutbox();
        outbox.Segments.RotateAt = 1; // every group closes its segment
        var first = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        var second = await outbox.AddAsync("op-2", new JsonObject(), CancellationToken.None);
        Assert.Equal(2, SegmentFiles.Length);

        outbox.Remove(first);

        var left = Assert.Single(SegmentFiles);
        Assert.Equal(["op-2"], await OperationIdsAsync(NewOutbox()));
        Assert.Empty(Directory.GetFiles(OutboxDirectory, "*.acks"));
        outbox.Remove(second);
        Assert.False(File.Exists(left));
        Assert.Empty(Directory.EnumerateFileSystemEntries(OutboxDirectory));
        Assert.Equal(0, outbox.PendingCount);
    }

    [Fact]
    public async Task The_active_segment_stays_while_it_is_appended_to_and_goes_at_a_graceful_stop_once_everything_is_delivered()
    {
        var outbox = NewOutbox();
        var first = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        outbox.Remove(first);
        Assert.Single(SegmentFiles);
        Assert.Single(Directory.GetFiles(OutboxDirectory, "*.segment.acks"));

        var second = await outbox.AddAsync("op-2", new JsonObject(), CancellationToken.None);
        Assert.Single(SegmentFiles); // the same one
        outbox.Remove(second);
        outbox.Dispose();

        Assert.Empty(Directory.EnumerateFileSystemEntries(OutboxDirectory));
    }

    [Fact]
    public async Task A_segment_whose_records_were_all_delivered_before_a_crash_is_deleted_at_the_next_start()
    {
        var outbox = NewOutbox();
        outbox.Remove(await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None));
        Assert.Single(SegmentFiles); // the crash: no graceful stop

        var restarted = NewOutbox();

        Assert.Equal(0, restarted.PendingCount);
        Assert.Empty(Directory.EnumerateFileSystemEntries(OutboxDirectory));
    }

    [Fact]
    public async Task A_just_stored_result_loads_from_memory_and_one_beyond_a_record_goes_to_a_file_of_its_own()
    {
        var outbox = NewOutbox();
        var small = await outbox.AddAsync("op-small", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        var large = await outbox.AddAsync("op-large", new JsonObject { ["s"] = new string('x', 70_000) }, CancellationToken.None);

        var fromMemory = await outbox.LoadAsync(small, CancellationToken.None);
        File.Delete(Assert.Single(SegmentFiles)); // a cached body does not read the file

        Assert.Equal("{\"n\":1}", await fromMemory!.Body.ReadStringAsync());
        Assert.Equal("{\"n\":1}", await (await outbox.LoadAsync(small, CancellationToken.None))!.Body.ReadStringAsync());
        Assert.True(File.Exists(Path.Combine(OutboxDirectory, large.Key + ".result.json")));
        Assert.Equal(70_000, (await (await outbox.LoadAsync(large, CancellationToken.None))!.Body.ReadJsonAsync())!["s"]!.GetValue<string>().Length);
    }

    private static IEnumerable<EgressAgent.Application.Results.OutboxEntry> InKeyOrder(params EgressAgent.Application.Results.OutboxEntry[] entries) =>
        entries.OrderBy(e => e.Key, StringComparer.Ordinal);

    private static List<long> LineStarts(byte[] bytes)
    {
        var starts = new List<long>();
        for (var start = 0; start < bytes.Length; start = Array.IndexOf(bytes, (byte)'\n', start) + 1)
        {
            starts.Add(start);
        }

        return starts;
    }

    /// <summary><c>{"d":{"d":…{"n":1}…}}</c>, <paramref name="depth"/> objects deep.</summary>
    private static JsonObject Nested(int depth)
    {
        var node = new JsonObject { ["n"] = 1 };
        for (var i = 1; i < depth; i++)
        {
            node = new JsonObject { ["d"] = node };
        }

        return node;
    }

    private static async Task<List<string>> OperationIdsAsync(FileResultOutbox outbox)
    {
        var ids = new List<string>();
        foreach (var entry in outbox.ListPending())
        {
            ids.Add((await outbox.LoadAsync(entry, CancellationToken.None))!.OperationId);
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    private FileResultOutbox NewOutbox(DataDirectoryLock? held = null) => new(
        Options.Create(new StorageOptions { DataDirectory = _dataDirectory }),
        new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero)),
        _logger,
        held);
}
