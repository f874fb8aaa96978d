using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Infrastructure.Outbox;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>The segment-log store's own files: temporary leftovers, corrupt entries, entries gone behind its back (the port's contract: <see cref="SegmentOutboxContractTests"/>).</summary>
public sealed class FileResultOutboxTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("egress-outbox-tests-").FullName;

    private string OutboxDirectory => Path.Combine(_dataDirectory, "outbox");

    [Fact]
    public async Task Remove_deletes_the_entry_and_decrements_the_pending_count_once()
    {
        var outbox = NewOutbox();
        var first = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        await outbox.AddAsync("op-2", new JsonObject(), CancellationToken.None);
        Assert.Equal(2, outbox.PendingCount);

        outbox.Remove(first);
        outbox.Remove(first);

        Assert.Equal(1, outbox.PendingCount);
        Assert.Equal("op-2", (await outbox.LoadAsync(Assert.Single(outbox.ListPending()), CancellationToken.None))!.OperationId);
        Assert.Null(await outbox.LoadAsync(first, CancellationToken.None));
        Assert.Equal(1, NewOutbox().PendingCount);
    }

    [Fact]
    public async Task Leftover_temporary_files_of_a_crashed_write_are_deleted_at_start()
    {
        await NewOutbox().AddAsync("op-1", new JsonObject(), CancellationToken.None);
        var leftover = Path.Combine(OutboxDirectory, $"00000638712345678901-{Guid.NewGuid():N}.result.json.tmp");
        await File.WriteAllTextAsync(leftover, "{\"operation_id\":\"op-half");

        var restarted = NewOutbox();

        Assert.False(File.Exists(leftover));
        Assert.Equal(1, restarted.PendingCount);
        Assert.Single(restarted.ListPending());
    }

    /// <summary>docs/reliability.md "files whose names are not the outbox's are left alone": temporary ones too, not every <c>*.tmp</c>.</summary>
    [Fact]
    public async Task Temporary_files_the_outbox_did_not_name_are_left_alone_at_start()
    {
        await NewOutbox().AddAsync("op-1", new JsonObject(), CancellationToken.None);
        string[] foreign = ["notes.tmp", "backup.result.json.tmp", "00000638712345678901-abc.result.json.tmp", $"00000638712345678901-{Guid.NewGuid():N}.segment.tmp"];
        foreach (var name in foreign)
        {
            await File.WriteAllTextAsync(Path.Combine(OutboxDirectory, name), "not ours");
        }

        var restarted = NewOutbox();

        Assert.All(foreign, name => Assert.True(File.Exists(Path.Combine(OutboxDirectory, name)), name));
        Assert.Equal(1, restarted.PendingCount);
    }

    [Theory]
    [InlineData("{\"operation_id\":\"op-1\",\"result\":")] // truncated
    [InlineData("not json at all")]
    [InlineData("{\"operation_id\":\"op-1\"}")] // no result
    [InlineData("{\"operation_id\":7,\"result\":{}}")] // id of the wrong type
    [InlineData("{\"operation_id\":\"op-1\",\"result\":[1]}")] // result not an object
    [InlineData("[]")]
    [InlineData("")]
    [InlineData("{\"operation_id\":\"op-1\",\"result\":{}")] // the document's closing brace is missing
    [InlineData("{\"operation_id\":\"op-1\",\"result\":{\"a\":{}")] // cut inside the result
    [InlineData("{\"result\":{},\"operation_id\":\"op-1\"}")] // not the layout the outbox writes
    [InlineData("{\"operation_id\":\"op-1\",\"result\":{}} ")] // something after the document
    public async Task A_corrupt_entry_loads_as_null(string content)
    {
        await File.WriteAllTextAsync(Path.Combine(OutboxDirectory, EntryFileName()), content);
        var outbox = NewOutbox();
        var entry = Assert.Single(outbox.ListPending());

        Assert.Null(await outbox.LoadAsync(entry, CancellationToken.None));
    }

    [Fact]
    public async Task Invalid_UTF8_in_an_entry_loads_as_null()
    {
        await File.WriteAllBytesAsync(Path.Combine(OutboxDirectory, EntryFileName()), [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]);
        var outbox = NewOutbox();
        var entry = Assert.Single(outbox.ListPending());

        Assert.Null(await outbox.LoadAsync(entry, CancellationToken.None));
    }

    [Fact]
    public async Task An_entry_removed_behind_the_outboxs_back_loads_as_null()
    {
        var name = EntryFileName();
        await File.WriteAllTextAsync(Path.Combine(OutboxDirectory, name), "{\"operation_id\":\"op-1\",\"result\":{}}");
        var outbox = NewOutbox();
        var entry = Assert.Single(outbox.ListPending());
        File.Delete(Path.Combine(OutboxDirectory, name));

        Assert.Null(await outbox.LoadAsync(entry, CancellationToken.None));
        Assert.Equal(0, outbox.PendingCount); // nothing left that a graceful stop would wait for
    }

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    /// <summary>The name of a result file as an earlier process wrote it (a result too large for a segment has one).</summary>
    private string EntryFileName()
    {
        Directory.CreateDirectory(OutboxDirectory);
        return $"{Start.UtcTicks:D20}-{Guid.NewGuid():N}.result.json";
    }

    private FileResultOutbox NewOutbox(DateTimeOffset? now = null) => NewOutbox(new FakeTimeProvider(now ?? Start));

    private FileResultOutbox NewOutbox(TimeProvider time) => new(
        Options.Create(new StorageOptions { DataDirectory = _dataDirectory }),
        time,
        NullLogger<FileResultOutbox>.Instance);
}
