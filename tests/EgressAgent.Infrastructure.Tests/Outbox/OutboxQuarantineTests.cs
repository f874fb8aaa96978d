using System.Text.Json.Nodes;
using EgressAgent.Application.Configuration;
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
        var outbox = NewOutbox();
        var entry = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        var name = entry.Key + ".result.json";
        await File.WriteAllTextAsync(Path.Combine(OutboxDirectory, name), content);

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
        var outbox = NewOutbox();
        var entry = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        byte[] content = [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D];
        await File.WriteAllBytesAsync(Path.Combine(OutboxDirectory, entry.Key + ".result.json"), content);

        Assert.Null(await outbox.LoadAsync(entry, CancellationToken.None));

        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(QuarantineDirectory, entry.Key + ".result.json")));
    }

    [Fact]
    public async Task A_corrupt_entry_left_by_an_earlier_process_is_counted_then_quarantined_not_deleted()
    {
        var entry = await NewOutbox().AddAsync("op-1", new JsonObject(), CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(OutboxDirectory, entry.Key + ".result.json"), "{\"operation_id\":");

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
        var outbox = NewOutbox();
        var entry = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        File.Delete(Path.Combine(OutboxDirectory, entry.Key + ".result.json"));

        Assert.Null(await outbox.LoadAsync(entry, CancellationToken.None));
        Assert.False(Directory.Exists(QuarantineDirectory));
    }

    [Fact]
    public async Task A_corrupt_entry_that_cannot_be_moved_stays_in_the_outbox()
    {
        var outbox = NewOutbox();
        var entry = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        var path = Path.Combine(OutboxDirectory, entry.Key + ".result.json");
        await File.WriteAllTextAsync(path, "corrupt");
        await File.WriteAllTextAsync(QuarantineDirectory, "a file where the quarantine directory should be");

        await Assert.ThrowsAnyAsync<IOException>(() => outbox.LoadAsync(entry, CancellationToken.None));

        Assert.Equal("corrupt", await File.ReadAllTextAsync(path));
        Assert.Equal(1, outbox.PendingCount);
        File.Delete(QuarantineDirectory);
    }

    private FileResultOutbox NewOutbox() => new(
        Options.Create(new StorageOptions { DataDirectory = _dataDirectory }),
        new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero)),
        _logger);
}
