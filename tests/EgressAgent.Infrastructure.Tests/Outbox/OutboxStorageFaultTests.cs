using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Infrastructure.Outbox;
using EgressAgent.Infrastructure.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>
/// Contract §10 "Storage faults lose nothing" and "Files", at the outbox: a failed write leaves
/// nothing behind (no partial file, no renamed one a retry would duplicate), a missing directory
/// is recreated by the next write, and stored results are <c>0600</c>.
/// </summary>
public sealed class OutboxStorageFaultTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerReadWrite | UnixFileMode.UserExecute;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("egress-outbox-faults-").FullName;

    private string OutboxDirectory => Path.Combine(_dataDirectory, "outbox");

    public void Dispose()
    {
        if (File.Exists(OutboxDirectory))
        {
            File.Delete(OutboxDirectory);
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Theory]
    [InlineData(0)] // the very first byte
    [InlineData(20)] // inside the operation id
    [InlineData(40_000)] // deep in the result, past the file's own buffer: part of it reached the disk
    public async Task A_full_disk_mid_write_leaves_no_file_and_the_next_write_stores_exactly_one(long failAt)
    {
        var outbox = NewOutbox();
        var temporaryFilesAtFault = -1;
        outbox.WrapStream = file => new FullDiskStream(file, failAt, () => temporaryFilesAtFault = TemporaryFiles().Length);

        var fault = await Assert.ThrowsAnyAsync<IOException>(() => outbox.AddAsync("op-1", LargeResult(), CancellationToken.None));

        Assert.Equal("No space left on device", fault.Message);
        Assert.Equal(1, temporaryFilesAtFault); // the partial file existed when the disk filled up...
        Assert.Empty(TemporaryFiles()); // ...and is gone
        Assert.Empty(Directory.EnumerateFileSystemEntries(OutboxDirectory));
        Assert.Empty(outbox.ListPending());
        Assert.Equal(0, outbox.PendingCount);

        outbox.WrapStream = file => file; // space freed
        var entry = await outbox.AddAsync("op-1", LargeResult(), CancellationToken.None);

        Assert.Equal(entry, Assert.Single(outbox.ListPending()));
        Assert.Single(Directory.EnumerateFileSystemEntries(OutboxDirectory));
        Assert.Equal(1, outbox.PendingCount);
        Assert.Equal(1, NewOutbox().PendingCount);
        var loaded = await outbox.LoadAsync(entry, CancellationToken.None);
        Assert.True(JsonNode.DeepEquals(LargeResult(), await loaded!.Body.ReadJsonAsync()));
    }

    [Fact]
    public async Task An_outbox_directory_replaced_by_a_file_fails_the_write_and_is_recreated_once_the_file_is_gone()
    {
        var outbox = NewOutbox();
        Directory.Delete(OutboxDirectory);
        await File.WriteAllTextAsync(OutboxDirectory, "in the way");

        await Assert.ThrowsAnyAsync<IOException>(() => outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None));
        Assert.Empty(outbox.ListPending()); // listing does not throw either: nothing can be delivered from there
        Assert.Equal("in the way", await File.ReadAllTextAsync(OutboxDirectory));

        File.Delete(OutboxDirectory);
        var entry = await outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None);

        Assert.True(Directory.Exists(OutboxDirectory));
        Assert.Equal(entry, Assert.Single(outbox.ListPending()));
        Assert.Equal("op-1", (await outbox.LoadAsync(entry, CancellationToken.None))!.OperationId);
        Assert.Equal(1, outbox.PendingCount);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(OutboxDirectory));
        }
    }

    [Fact]
    public async Task A_removed_data_directory_is_recreated_by_the_next_write_readable_by_the_owner_only()
    {
        var outbox = NewOutbox();
        Directory.Delete(_dataDirectory, recursive: true);

        var entry = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);

        Assert.Equal(entry, Assert.Single(outbox.ListPending()));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(_dataDirectory));
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(OutboxDirectory));
        }
    }

    [Fact]
    public async Task A_stored_result_is_readable_and_writable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only
        }

        var outbox = NewOutbox();

        var small = await outbox.AddAsync("op-1", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        await outbox.AddAsync("op-2", new JsonObject { ["n"] = 2 }, CancellationToken.None);
        var large = await outbox.AddAsync("op-3", LargeResult(), CancellationToken.None);
        outbox.Remove(small); // the segment gets its acks file

        string[] kinds = ["*.segment", "*.segment.acks", "*.result.json"];
        Assert.All(kinds, kind => Assert.Single(Directory.GetFiles(OutboxDirectory, kind)));
        Assert.True(File.Exists(Path.Combine(OutboxDirectory, large.Key + ".result.json")));
        foreach (var file in Directory.GetFiles(OutboxDirectory))
        {
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file));
        }
    }

    /// <summary>
    /// docs/adr/0015: the mode is given at <c>open(2)</c>, never by a chmod afterwards: a large
    /// result's temporary file and a new segment are already 0600 when their first byte is written,
    /// and so is every temporary file left behind.
    /// </summary>
    [Fact]
    public async Task A_temporary_file_and_a_new_segment_are_0600_before_their_first_byte_is_written()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only
        }

        var outbox = NewOutbox();
        var modes = new List<(string Name, UnixFileMode Mode)>();
        outbox.WrapStream = stream =>
        {
            var file = (FileStream)stream;
            if (!OperatingSystem.IsWindows())
            {
                modes.Add((Path.GetFileName(file.Name), File.GetUnixFileMode(file.SafeFileHandle)));
            }

            return stream;
        };

        await outbox.AddAsync("op-small", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        await outbox.AddAsync("op-large", LargeResult(), CancellationToken.None);

        Assert.Contains(modes, m => m.Name.EndsWith(".segment", StringComparison.Ordinal));
        Assert.Contains(modes, m => m.Name.EndsWith(".result.json.tmp", StringComparison.Ordinal));
        Assert.All(modes, m => Assert.Equal(OwnerReadWrite, m.Mode));
    }

    private string[] TemporaryFiles() =>
        Directory.Exists(OutboxDirectory) ? Directory.GetFiles(OutboxDirectory, "*.tmp") : [];

    /// <summary>About 100 KB, so the write spans many buffers.</summary>
    private static JsonObject LargeResult() => new()
    {
        ["__mcd_result__"] = new JsonArray([.. Enumerable.Range(0, 5_000).Select(i => (JsonNode)$"row-{i:D6}-padding")]),
        ["__mcd_trace_id__"] = "t-1",
    };

    private FileResultOutbox NewOutbox() => new(
        Options.Create(new StorageOptions { DataDirectory = _dataDirectory }),
        new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero)),
        NullLogger<FileResultOutbox>.Instance);
}
