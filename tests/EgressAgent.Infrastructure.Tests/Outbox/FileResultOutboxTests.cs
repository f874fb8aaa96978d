using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Infrastructure.Outbox;
using EgressAgent.Infrastructure.Tests.Support;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>Contract §6.4: results are stored durably, survive a restart, and come back oldest first.</summary>
public sealed class FileResultOutboxTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("egress-outbox-tests-").FullName;

    private string OutboxDirectory => Path.Combine(_dataDirectory, "outbox");

    [Fact]
    public async Task A_stored_result_survives_a_restart_with_its_operation_id_and_body()
    {
        var result = new JsonObject { ["__mcd_result__"] = new JsonObject { ["rows"] = new JsonArray(1, 2) }, ["__mcd_trace_id__"] = "t-1" };
        var stored = await NewOutbox().AddAsync("op-1", result, CancellationToken.None);

        var restarted = NewOutbox();
        var entry = Assert.Single(restarted.ListPending());
        var loaded = await restarted.LoadAsync(entry, CancellationToken.None);

        Assert.Equal(1, restarted.PendingCount);
        Assert.Equal(stored, entry);
        Assert.Equal(Start, entry.CreatedAt);
        Assert.NotNull(loaded);
        Assert.Equal("op-1", loaded.OperationId);
        Assert.True(JsonNode.DeepEquals(result, await loaded.Body.ReadJsonAsync()));
    }

    [Fact]
    public async Task An_operation_id_that_needs_escaping_comes_back_as_it_was_stored()
    {
        const string id = "op \"quoted\" \u00e9\u6f22 \\ /";
        var outbox = NewOutbox();
        var entry = await outbox.AddAsync(id, new JsonObject { ["n"] = 1 }, CancellationToken.None);

        var loaded = await outbox.LoadAsync(entry, CancellationToken.None);

        Assert.Equal(id, loaded!.OperationId);
        Assert.Equal("{\"n\":1}", await loaded.Body.ReadStringAsync());
    }

    [Fact]
    public async Task The_stored_result_is_a_copy_not_the_callers_object()
    {
        var outbox = NewOutbox();
        var result = new JsonObject { ["n"] = 1 };
        var entry = await outbox.AddAsync("op-1", result, CancellationToken.None);

        result["n"] = 2;

        var loaded = await outbox.LoadAsync(entry, CancellationToken.None);
        Assert.Equal(1, (await loaded!.Body.ReadJsonAsync())!["n"]!.GetValue<int>());
    }

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
    public async Task Pending_entries_are_listed_oldest_first_whatever_order_they_were_written_in()
    {
        // The newer result is written first, from an outbox whose clock is a day ahead.
        await NewOutbox(Start.AddDays(1)).AddAsync("newer", new JsonObject(), CancellationToken.None);
        await NewOutbox(Start).AddAsync("older", new JsonObject(), CancellationToken.None);
        await NewOutbox(Start.AddHours(1)).AddAsync("middle", new JsonObject(), CancellationToken.None);

        var outbox = NewOutbox();
        var order = new List<string>();
        foreach (var entry in outbox.ListPending())
        {
            order.Add((await outbox.LoadAsync(entry, CancellationToken.None))!.OperationId);
        }

        Assert.Equal(["older", "middle", "newer"], order);
        Assert.Equal([Start, Start.AddHours(1), Start.AddDays(1)], outbox.ListPending().Select(e => e.CreatedAt));
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

    [Theory]
    [InlineData(10)] // a record of a segment
    [InlineData(100_000)] // a file of its own
    public async Task A_loaded_result_keeps_its_stored_creation_time_and_its_age_is_fixed_at_load_then_counted_monotonically(int size)
    {
        // docs/protocol.md §10 "Time": the remaining TTL is the TTL less the stored wall-clock age
        // at load; from then on the monotonic clock counts, not the wall clock.
        await NewOutbox(Start).AddAsync("op-1", Sized(size), CancellationToken.None);
        var time = new SteppedWallClock(Start + TimeSpan.FromHours(3));

        var entry = Assert.Single(NewOutbox(time).ListPending());
        time.StepWallClock(TimeSpan.FromDays(1));
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(Start, entry.CreatedAt);
        Assert.Equal(TimeSpan.FromHours(3), entry.AgeWhenKnown);
        Assert.Equal(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(1), entry.AgeOn(time));
    }

    [Fact]
    public async Task A_result_stored_with_a_creation_time_in_the_future_is_loaded_with_age_zero()
    {
        // Stored by a process whose wall clock was a day ahead (corrected since): not "negative age", not older than it is.
        await NewOutbox(Start.AddDays(1)).AddAsync("op-1", new JsonObject(), CancellationToken.None);
        var time = new SteppedWallClock(Start);

        var entry = Assert.Single(NewOutbox(time).ListPending());
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(Start.AddDays(1), entry.CreatedAt);
        Assert.Equal(TimeSpan.Zero, entry.AgeWhenKnown);
        Assert.Equal(TimeSpan.FromMinutes(1), entry.AgeOn(time));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100_000)]
    public async Task A_result_created_by_this_process_starts_at_age_zero_whatever_the_wall_clock_does_after(int size)
    {
        var time = new SteppedWallClock(Start);
        var outbox = NewOutbox(time);

        var stored = await outbox.AddAsync("op-1", Sized(size), CancellationToken.None);
        time.StepWallClock(TimeSpan.FromDays(1));
        time.Advance(TimeSpan.FromSeconds(5));

        var entry = Assert.Single(outbox.ListPending());
        Assert.Equal(stored, entry);
        Assert.Equal(Start, entry.CreatedAt); // what the next process reads
        Assert.Equal(TimeSpan.Zero, entry.AgeWhenKnown);
        Assert.Equal(TimeSpan.FromSeconds(5), entry.AgeOn(time));
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

    private static JsonObject Sized(int size) => new() { ["text"] = new string('x', size) };
}
