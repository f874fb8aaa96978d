using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.Configuration;
using EgressAgent.Infrastructure.Outbox.Sqlite;
using EgressAgent.Infrastructure.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>
/// docs/adr/0045: one writer commits every queued result in one transaction; a failed commit fails its
/// whole group and stores nothing; closing waits for a commit in progress; the database and its WAL
/// are private; a corrupt database or row is quarantined, never refused for ever; a removed
/// directory gets a new database, never the unlinked one; the segment-log outbox's results are imported.
/// </summary>
public sealed class SqliteOutboxTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("egress-outbox-sqlite-").FullName;
    private readonly RecordingLogger<SqliteResultOutbox> _logger = new();
    private readonly List<SqliteResultOutbox> _opened = [];

    private string OutboxDirectory => Path.Combine(_dataDirectory, "outbox");

    private string Database => Path.Combine(OutboxDirectory, SqliteOutboxFile.FileName);

    private string Quarantine => Path.Combine(_dataDirectory, "quarantine");

    public void Dispose()
    {
        CloseAll();
        if (File.Exists(OutboxDirectory))
        {
            File.Delete(OutboxDirectory);
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Results_queued_while_a_commit_runs_share_the_next_one_and_none_completes_before_its_commit()
    {
        using var firstCommit = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var outbox = NewOutbox();
        var commits = 0;
        outbox.Writer.BeforeCommit = () =>
        {
            if (Interlocked.Increment(ref commits) == 1)
            {
                firstCommit.Set();
                release.Wait(Bound);
            }
        };

        var first = outbox.AddAsync("op-0", new JsonObject(), CancellationToken.None);
        Assert.True(firstCommit.Wait(Bound));
        var queued = Enumerable.Range(1, 8).Select(i => outbox.AddAsync($"op-{i}", new JsonObject(), CancellationToken.None)).ToList();
        await Task.Delay(100);
        Assert.All(queued, add => Assert.False(add.IsCompleted));
        Assert.False(first.IsCompleted);

        release.Set();
        await Task.WhenAll(queued.Append(first)).WaitAsync(Bound);

        Assert.Equal(2, outbox.Writer.Commits); // the first result's, then one for the eight queued behind it
        Assert.Equal(9, outbox.Writer.Records);
        Assert.Equal(9, Restart().PendingCount);
    }

    [Fact]
    public async Task A_full_disk_at_commit_fails_every_result_of_the_group_stores_none_and_the_next_write_stores_each_once()
    {
        using var firstCommit = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var outbox = NewOutbox();
        var commits = 0;
        outbox.Writer.BeforeCommit = () =>
        {
            var commit = Interlocked.Increment(ref commits);
            if (commit == 1)
            {
                firstCommit.Set();
                release.Wait(Bound);
            }
            else if (commit == 2)
            {
                throw new SqliteException("database or disk is full", SQLitePCL.raw.SQLITE_FULL);
            }
        };
        var first = outbox.AddAsync("op-0", new JsonObject(), CancellationToken.None);
        Assert.True(firstCommit.Wait(Bound));
        var group = Enumerable.Range(1, 3).Select(i => outbox.AddAsync($"op-{i}", new JsonObject(), CancellationToken.None)).ToList();
        release.Set();

        await first.WaitAsync(Bound);
        foreach (var add in group)
        {
            var fault = await Assert.ThrowsAsync<IOException>(() => add.WaitAsync(Bound));
            Assert.Equal(28, fault.HResult); // ENOSPC: health says "no space left on device"
            Assert.StartsWith("No space left on device", fault.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, outbox.PendingCount);
        foreach (var i in Enumerable.Range(1, 3))
        {
            await outbox.AddAsync($"op-{i}", new JsonObject(), CancellationToken.None); // the callers' retries
        }

        var restarted = Restart();
        Assert.Equal(["op-0", "op-1", "op-2", "op-3"], await OperationIdsAsync(restarted));
    }

    /// <summary>A graceful stop closes the outbox while a worker may be storing: the close waits for that commit, which is then stored.</summary>
    [Fact]
    public async Task A_close_while_a_commit_runs_waits_for_it_and_the_result_is_stored()
    {
        using var committing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var outbox = NewOutbox();
        outbox.Writer.BeforeCommit = () =>
        {
            committing.Set();
            release.Wait(Bound);
        };

        var storing = outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        Assert.True(committing.Wait(Bound));
        var closing = Task.Run(outbox.Dispose);

        await Task.WhenAny(closing, Task.Delay(300));
        Assert.False(closing.IsCompleted, "the close did not wait for the commit in progress");
        release.Set();
        var stored = await storing.WaitAsync(Bound);
        await closing.WaitAsync(Bound);

        var restarted = Restart();
        Assert.Equal([stored.Key], restarted.ListPending().Select(e => e.Key));
        Assert.Equal("op-1", (await restarted.LoadAsync(stored, CancellationToken.None))!.OperationId);
    }

    [Fact]
    public async Task A_removal_queued_before_a_graceful_stop_is_committed_by_it()
    {
        var outbox = NewOutbox();
        var entries = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => outbox.AddAsync($"op-{i}", new JsonObject(), CancellationToken.None)));
        foreach (var entry in entries.Take(3))
        {
            outbox.Remove(entry);
        }

        Assert.Equal(["op-3", "op-4"], await OperationIdsAsync(Restart()));
    }

    /// <summary>The last connection to close removes the WAL; a pooled reader closed after the writer would leave it and the shared memory file behind.</summary>
    [Fact]
    public async Task A_graceful_close_leaves_only_the_database_even_after_a_result_was_read_back_from_it()
    {
        var outbox = NewOutbox();
        var entry = await outbox.AddAsync("op-1", new JsonObject { ["s"] = new string('x', 100_000) }, CancellationToken.None); // too large to be kept in memory
        Assert.Equal(100_008, (await (await outbox.LoadAsync(entry, CancellationToken.None))!.Body.ReadStringAsync()).Length);
        outbox.Remove(entry);

        CloseAll();

        Assert.Equal([SqliteOutboxFile.FileName], Directory.GetFileSystemEntries(OutboxDirectory).Select(Path.GetFileName));
        Assert.Equal(0, Restart().PendingCount);
    }

    [Fact]
    public async Task The_database_and_its_wal_and_shared_memory_files_are_readable_and_writable_by_the_owner_only()
    {
        var outbox = NewOutbox();
        await outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, ModeOf(OutboxDirectory));
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            Assert.True(File.Exists(Database + suffix), suffix);
            Assert.Equal(OwnerReadWrite, ModeOf(Database + suffix));
        }
    }

    [Fact]
    public async Task A_corrupt_database_is_moved_to_quarantine_with_an_error_and_a_new_one_takes_results()
    {
        Directory.CreateDirectory(OutboxDirectory);
        await File.WriteAllTextAsync(Database, "this is not an SQLite database, but it is long enough to have a header of one: " + new string('x', 200));

        var outbox = NewOutbox();
        var stored = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);

        var moved = Assert.Single(Directory.GetFiles(Quarantine));
        Assert.StartsWith("this is not an SQLite database", await File.ReadAllTextAsync(moved), StringComparison.Ordinal);
        Assert.Contains(_logger.Records, r => r.Level == LogLevel.Error && r.Message.Contains("corrupt", StringComparison.Ordinal) && r.Message.Contains(moved, StringComparison.Ordinal));
        Assert.Equal([stored.Key], Restart().ListPending().Select(e => e.Key));
    }

    [Fact]
    public async Task A_row_whose_columns_are_not_what_the_writer_writes_is_quarantined_and_the_others_are_delivered()
    {
        var outbox = NewOutbox();
        await outbox.AddAsync("op-before", new JsonObject(), CancellationToken.None);
        await outbox.AddAsync("op-after", new JsonObject(), CancellationToken.None);
        CloseAll();
        Execute("INSERT INTO results(operation_id, created, result) VALUES (7, 'yesterday', 'not a blob')");

        var restarted = Restart();

        Assert.Equal(["op-after", "op-before"], await OperationIdsAsync(restarted));
        var quarantined = Assert.Single(Directory.GetFiles(Quarantine));
        Assert.Contains("not a blob", await File.ReadAllTextAsync(quarantined), StringComparison.Ordinal);
        Assert.Equal(OwnerReadWrite, ModeOf(quarantined));
        Assert.Contains(_logger.Records, r => r.Level == LogLevel.Error && r.Message.Contains(quarantined, StringComparison.Ordinal));
        Assert.Equal(2, Restart().PendingCount);
    }

    /// <summary>
    /// A store after the data directory was removed must not commit into the unlinked database
    /// (no restart could find it): a new one is made in the recreated, private directory.
    /// </summary>
    [Fact]
    public async Task A_store_after_the_data_directory_was_removed_goes_to_a_new_database_in_the_recreated_directory()
    {
        var outbox = NewOutbox();
        await outbox.AddAsync("op-lost-with-the-directory", new JsonObject(), CancellationToken.None);
        Directory.Delete(_dataDirectory, recursive: true);

        var stored = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, ModeOf(_dataDirectory));
        Assert.Equal(OwnerReadWrite, ModeOf(Database));
        var restarted = Restart();
        Assert.Equal([stored.Key], restarted.ListPending().Select(e => e.Key));
    }

    [Fact]
    public async Task An_outbox_directory_replaced_by_a_file_fails_the_write_and_is_recreated_once_the_file_is_gone()
    {
        var outbox = NewOutbox();
        Directory.Delete(OutboxDirectory, recursive: true);
        await File.WriteAllTextAsync(OutboxDirectory, "a file where the outbox directory should be");

        await Assert.ThrowsAnyAsync<IOException>(() => outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None));
        await Assert.ThrowsAnyAsync<IOException>(() => outbox.AddAsync("op-1", new JsonObject { ["s"] = new string('x', 100_000) }, CancellationToken.None));
        Assert.True(File.Exists(OutboxDirectory), "an operator's file is never removed");
        Assert.Equal(0, outbox.PendingCount);

        File.Delete(OutboxDirectory);
        var stored = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);

        Assert.Equal([stored.Key], Restart().ListPending().Select(e => e.Key));
        Assert.Empty(Directory.GetFiles(OutboxDirectory, "*.spill"));
    }

    [Fact]
    public async Task Spill_files_left_by_a_crash_are_deleted_at_start_and_files_the_outbox_did_not_name_are_left_alone()
    {
        NewOutbox();
        CloseAll();
        var leftover = Path.Combine(OutboxDirectory, $"{Guid.NewGuid():N}.spill");
        string[] foreign = ["notes.spill", "backup.tmp", "results.db.bak"];
        await File.WriteAllTextAsync(leftover, "{\"half");
        foreach (var name in foreign)
        {
            await File.WriteAllTextAsync(Path.Combine(OutboxDirectory, name), "not ours");
        }

        NewOutbox();

        Assert.False(File.Exists(leftover));
        Assert.All(foreign, name => Assert.True(File.Exists(Path.Combine(OutboxDirectory, name)), name));
    }

    /// <summary>
    /// An in-place upgrade: what the segment-log outbox left pending is imported once and its files
    /// deleted. An acks file ending in a partial line (a crash mid-append) names nothing: the record
    /// at offset "1" is not taken for acknowledged by the "1" of a cut "123"; a whole line that is
    /// not a record is corrupt (copied to quarantine), never torn; a last line without its line feed
    /// is a torn tail, never stored; a result of its own file is streamed into its row.
    /// </summary>
    [Fact]
    public async Task Results_the_segment_log_left_are_imported_once_with_their_creation_times_and_its_files_deleted()
    {
        Directory.CreateDirectory(OutboxDirectory);
        var segment = Path.Combine(OutboxDirectory, $"{Start.UtcTicks:D20}-{Guid.NewGuid():N}.segment");
        var delivered = Record("op-delivered", Start.UtcTicks, "{\"n\":0}");
        var pending = Record("op-pending", Start.UtcTicks + 1, "{\"n\":1}");
        var deep = Record("op-deep", Start.UtcTicks + 2, string.Concat(Enumerable.Repeat("{\"d\":", 200)) + "1" + new string('}', 200));
        var corrupt = "{\"operation_id\":\"op-corrupt\",\"created\":1,\"result\":{\"cut\n";
        var torn = "{\"operation_id\":\"op-torn\",\"created\":1,\"res";
        await File.WriteAllTextAsync(segment, delivered + pending + deep + corrupt + torn);
        await File.WriteAllTextAsync(segment + ".acks", "0\n" + (delivered.Length + pending.Length + deep.Length + corrupt.Length).ToString(CultureInfo.InvariantCulture)[..1]);
        var large = "{\"big\":\"" + new string('x', 100_000) + "\"}";
        var file = Path.Combine(OutboxDirectory, $"{(Start.UtcTicks + 3):D20}-{Guid.NewGuid():N}.result.json");
        await File.WriteAllTextAsync(file, "{\"operation_id\":\"op-large\",\"result\":" + large + "}");

        var outbox = NewOutbox();

        Assert.Equal(["op-deep", "op-large", "op-pending"], await OperationIdsAsync(outbox));
        var byId = new Dictionary<string, string>();
        foreach (var entry in outbox.ListPending())
        {
            var loaded = (await outbox.LoadAsync(entry, CancellationToken.None))!;
            byId[loaded.OperationId] = await loaded.Body.ReadStringAsync();
        }

        Assert.Equal(large, byId["op-large"]);
        Assert.Equal(deep[(deep.IndexOf("\"result\":", StringComparison.Ordinal) + 9)..^2], byId["op-deep"]);
        Assert.Equal([Start.AddTicks(1), Start.AddTicks(2), Start.AddTicks(3)], outbox.ListPending().Select(e => e.CreatedAt));
        Assert.Equal([Path.GetFileName(segment)], Directory.GetFiles(Quarantine).Select(Path.GetFileName));
        Assert.Contains(_logger.Records, r => r.Level == LogLevel.Warning && r.Message.Contains("incomplete record", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(OutboxDirectory, "*.segment*"));
        Assert.Empty(Directory.GetFiles(OutboxDirectory, "*.result.json"));
        Assert.Equal(3, Restart().PendingCount); // imported once
    }

    private static string Record(string operationId, long created, string result) =>
        $"{{\"operation_id\":\"{operationId}\",\"created\":{created.ToString(CultureInfo.InvariantCulture)},\"result\":{result}}}\n";

    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The modes are a Unix promise (docs/protocol.md §10 "Files").</summary>
    private static UnixFileMode ModeOf(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        return File.GetUnixFileMode(path);
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static async Task<List<string>> OperationIdsAsync(SqliteResultOutbox outbox)
    {
        var ids = new List<string>();
        foreach (var entry in outbox.ListPending())
        {
            ids.Add((await outbox.LoadAsync(entry, CancellationToken.None))!.OperationId);
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    private SqliteResultOutbox NewOutbox()
    {
        var outbox = new SqliteResultOutbox(Options.Create(new StorageOptions { DataDirectory = _dataDirectory }), new FakeTimeProvider(Start), _logger);
        _opened.Add(outbox);
        return outbox;
    }

    private SqliteResultOutbox Restart()
    {
        CloseAll();
        return NewOutbox();
    }

    private void CloseAll()
    {
        foreach (var outbox in _opened)
        {
            outbox.Dispose();
        }

        _opened.Clear();
    }
}
