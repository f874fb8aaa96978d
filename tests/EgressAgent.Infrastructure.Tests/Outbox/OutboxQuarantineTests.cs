using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Infrastructure.Outbox;
using EgressAgent.Infrastructure.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>
/// Contract §10 "Corrupt stored results": moved to <c>{DataDirectory}/quarantine/</c> with a log
/// line naming the file, never silently deleted; files the outbox did not name are left alone.
/// </summary>
public sealed class OutboxQuarantineTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("egress-outbox-quarantine-").FullName;
    private readonly RecordingLogger<FileResultOutbox> _logger = new();

    private string OutboxDirectory => Path.Combine(_dataDirectory, "outbox");

    private string QuarantineDirectory => Path.Combine(_dataDirectory, "quarantine");

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Theory]
    [InlineData("not json at all")] // bad JSON
    [InlineData("{\"operation_id\":7,\"result\":{}}")] // bad head
    [InlineData("{\"operation_id\":\"op-1\",\"result\":{}")] // unreadable layout: cut short
    [InlineData("")]
    public async Task A_corrupt_entry_is_moved_to_quarantine_with_a_log_line_naming_the_file(string content)
    {
        var name = EntryFileName();
        await File.WriteAllTextAsync(Path.Combine(OutboxDirectory, name), content);
        var outbox = NewOutbox();
        var entry = Assert.Single(outbox.ListPending());

        Assert.Null(await outbox.LoadAsync(entry, CancellationToken.None));

        var kept = Path.Combine(QuarantineDirectory, name);
        Assert.Equal(content, await File.ReadAllTextAsync(kept));
        Assert.Empty(Directory.EnumerateFileSystemEntries(OutboxDirectory));
        Assert.Empty(outbox.ListPending());
        Assert.Equal(0, outbox.PendingCount);
        Assert.Contains(_logger.Records, r => r.Level == LogLevel.Error && r.Message.Contains(kept, StringComparison.Ordinal));

        outbox.Remove(entry); // what the publisher does after a null load: nothing left to delete, no double count
        Assert.Equal(0, outbox.PendingCount);
        Assert.True(File.Exists(kept));
    }

    [Fact]
    public async Task Invalid_UTF8_is_quarantined_byte_for_byte()
    {
        var name = EntryFileName();
        byte[] content = [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D];
        await File.WriteAllBytesAsync(Path.Combine(OutboxDirectory, name), content);
        var outbox = NewOutbox();

        Assert.Null(await outbox.LoadAsync(Assert.Single(outbox.ListPending()), CancellationToken.None));

        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(QuarantineDirectory, name)));
    }

    [Fact]
    public async Task A_corrupt_entry_left_by_an_earlier_process_is_counted_then_quarantined_not_deleted()
    {
        await File.WriteAllTextAsync(Path.Combine(OutboxDirectory, EntryFileName()), "{\"operation_id\":");

        var restarted = NewOutbox();
        Assert.Equal(1, restarted.PendingCount);
        Assert.Null(await restarted.LoadAsync(Assert.Single(restarted.ListPending()), CancellationToken.None));

        Assert.Equal(0, restarted.PendingCount);
        Assert.Single(Directory.GetFiles(QuarantineDirectory));
    }

    [Fact]
    public async Task Files_the_outbox_did_not_name_are_neither_listed_nor_moved()
    {
        var outbox = NewOutbox();
        var stored = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        string[] foreign = ["notes.result.json", "backup-1.result.json", "README", "12345.result.json"];
        foreach (var name in foreign)
        {
            await File.WriteAllTextAsync(Path.Combine(OutboxDirectory, name), "not ours");
        }

        var listed = outbox.ListPending();
        foreach (var entry in listed)
        {
            await outbox.LoadAsync(entry, CancellationToken.None);
        }

        Assert.Equal(stored, Assert.Single(listed));
        Assert.All(foreign, name => Assert.True(File.Exists(Path.Combine(OutboxDirectory, name)), name));
        Assert.False(Directory.Exists(QuarantineDirectory));
    }

    [Fact]
    public async Task An_entry_that_is_gone_is_not_quarantined()
    {
        var name = EntryFileName();
        await File.WriteAllTextAsync(Path.Combine(OutboxDirectory, name), "{\"operation_id\":\"op-1\",\"result\":{}}");
        var outbox = NewOutbox();
        var entry = Assert.Single(outbox.ListPending());
        File.Delete(Path.Combine(OutboxDirectory, name));

        Assert.Null(await outbox.LoadAsync(entry, CancellationToken.None));
        Assert.False(Directory.Exists(QuarantineDirectory));
    }

    [Fact]
    public async Task A_corrupt_entry_that_cannot_be_moved_stays_in_the_outbox()
    {
        var path = Path.Combine(OutboxDirectory, EntryFileName());
        await File.WriteAllTextAsync(path, "corrupt");
        var outbox = NewOutbox();
        var entry = Assert.Single(outbox.ListPending());
        await File.WriteAllTextAsync(QuarantineDirectory, "a file where the quarantine directory should be");

        await Assert.ThrowsAnyAsync<IOException>(() => outbox.LoadAsync(entry, CancellationToken.None));

        Assert.Equal("corrupt", await File.ReadAllTextAsync(path));
        Assert.Equal(1, outbox.PendingCount);
        File.Delete(QuarantineDirectory);
    }

    /// <summary>The name of a result file as an earlier process wrote it (a result too large for a segment has one).</summary>
    private string EntryFileName()
    {
        Directory.CreateDirectory(OutboxDirectory);
        return $"{new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero).UtcTicks:D20}-{Guid.NewGuid():N}.result.json";
    }

    private FileResultOutbox NewOutbox() => new(
        Options.Create(new StorageOptions { DataDirectory = _dataDirectory }),
        new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero)),
        _logger);
}
