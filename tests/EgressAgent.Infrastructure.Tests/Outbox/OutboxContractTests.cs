using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Infrastructure.Storage;
using EgressAgent.Infrastructure.Tests.Support;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>
/// Contract §6.4 and §10 at the port (a store is measured against it, docs/adr/0045): results are stored
/// durably, survive a restart byte for byte whatever their depth or size, come back oldest first,
/// are removed once, and carry a time to live fixed when this process created or loaded them.
/// A "restart" closes every earlier instance first, as a process exit would.
/// </summary>
public abstract class OutboxContractTests : IDisposable
{
    protected static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly List<IResultOutbox> _opened = [];

    protected string DataDirectory { get; } = Directory.CreateTempSubdirectory("egress-outbox-contract-").FullName;

    public void Dispose()
    {
        CloseAll();
        Directory.Delete(DataDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_stored_result_survives_a_restart_with_its_operation_id_and_body()
    {
        var result = new JsonObject { ["__mcd_result__"] = new JsonObject { ["rows"] = new JsonArray(1, 2) }, ["__mcd_trace_id__"] = "t-1" };
        var stored = await NewOutbox().AddAsync("op-1", result, CancellationToken.None);

        var restarted = Restart();
        var entry = Assert.Single(restarted.ListPending());
        var loaded = await restarted.LoadAsync(entry, CancellationToken.None);

        Assert.Equal(1, restarted.PendingCount);
        Assert.Equal(stored.Key, entry.Key);
        Assert.Equal(Start, entry.CreatedAt);
        Assert.Equal("op-1", loaded!.OperationId);
        Assert.True(JsonNode.DeepEquals(result, await loaded.Body.ReadJsonAsync()));
    }

    [Fact]
    public async Task An_operation_id_that_needs_escaping_comes_back_as_it_was_stored()
    {
        const string id = "op \"quoted\" \u00e9\u6f22 \\ /";
        await NewOutbox().AddAsync(id, new JsonObject { ["n"] = 1 }, CancellationToken.None);

        var restarted = Restart();
        var loaded = await restarted.LoadAsync(Assert.Single(restarted.ListPending()), CancellationToken.None);

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
    public async Task Remove_takes_the_entry_out_once_and_a_restart_does_not_list_it_again()
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
        var restarted = Restart();
        Assert.Equal(1, restarted.PendingCount);
        Assert.Equal("op-2", (await restarted.LoadAsync(Assert.Single(restarted.ListPending()), CancellationToken.None))!.OperationId);
    }

    [Fact]
    public async Task Pending_entries_are_listed_oldest_first_whatever_order_they_were_written_in()
    {
        // The newer result is written first, from an outbox whose clock is a day ahead.
        await NewOutbox(Start.AddDays(1)).AddAsync("newer", new JsonObject(), CancellationToken.None);
        await Restart(Start).AddAsync("older", new JsonObject(), CancellationToken.None);
        await Restart(Start.AddHours(1)).AddAsync("middle", new JsonObject(), CancellationToken.None);

        var outbox = Restart();
        var order = new List<string>();
        foreach (var entry in outbox.ListPending())
        {
            order.Add((await outbox.LoadAsync(entry, CancellationToken.None))!.OperationId);
        }

        Assert.Equal(["older", "middle", "newer"], order);
        Assert.Equal([Start, Start.AddHours(1), Start.AddDays(1)], outbox.ListPending().Select(e => e.CreatedAt));
    }

    /// <summary>
    /// docs/protocol.md §10: whatever was stored can be read back — recovery has no depth or size limit
    /// below intake's (the JSON writer's 1,000 levels; a result streamed past any record size).
    /// </summary>
    [Theory]
    [InlineData(65, 10)]
    [InlineData(999, 10)]
    [InlineData(2, 3_000_000)]
    public async Task A_result_as_deep_or_as_large_as_intake_allows_is_read_back_after_a_restart_byte_for_byte(int depth, int size)
    {
        var outbox = NewOutbox();
        var before = await outbox.AddAsync("op-before", new JsonObject { ["n"] = 1 }, CancellationToken.None);
        var big = await outbox.AddAsync("op-big", Nested(depth, new string('x', size)), CancellationToken.None);
        var written = await (await outbox.LoadAsync(big, CancellationToken.None))!.Body.ReadStringAsync();

        var restarted = Restart();

        Assert.Equal(new[] { before.Key, big.Key }.Order(StringComparer.Ordinal), restarted.ListPending().Select(e => e.Key)); // one creation time: either order
        var loaded = await restarted.LoadAsync(big, CancellationToken.None);
        Assert.Equal("op-big", loaded!.OperationId);
        Assert.Equal(written.Length, loaded.Body.Length);
        Assert.Equal(written, await loaded.Body.ReadStringAsync());
        Assert.False(Directory.Exists(Path.Combine(DataDirectory, "quarantine")));
    }

    [Theory]
    [InlineData(10)] // a small result
    [InlineData(100_000)] // one too large to be held in memory while it is written
    public async Task A_loaded_result_keeps_its_stored_creation_time_and_its_age_is_fixed_at_load_then_counted_monotonically(int size)
    {
        // docs/protocol.md §10 "Time": the remaining TTL is the TTL less the stored wall-clock age
        // at load; from then on the monotonic clock counts, not the wall clock.
        await NewOutbox(Start).AddAsync("op-1", Sized(size), CancellationToken.None);
        var time = new SteppedWallClock(Start + TimeSpan.FromHours(3));

        var entry = Assert.Single(Restart(time).ListPending());
        time.StepWallClock(TimeSpan.FromDays(1));
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(Start, entry.CreatedAt);
        Assert.Equal(TimeSpan.FromHours(3), entry.AgeWhenKnown);
        Assert.Equal(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(1), entry.AgeOn(time));
    }

    [Fact]
    public async Task A_result_stored_with_a_creation_time_in_the_future_is_loaded_with_age_zero()
    {
        await NewOutbox(Start.AddDays(1)).AddAsync("op-1", new JsonObject(), CancellationToken.None);
        var time = new SteppedWallClock(Start);

        var entry = Assert.Single(Restart(time).ListPending());
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
        Assert.Equal(Start, entry.CreatedAt);
        Assert.Equal(TimeSpan.Zero, entry.AgeWhenKnown);
        Assert.Equal(TimeSpan.FromSeconds(5), entry.AgeOn(time));
    }

    [Fact]
    public async Task Results_stored_at_once_by_many_callers_are_each_stored_once()
    {
        var outbox = NewOutbox();
        var stored = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => outbox.AddAsync($"op-{i}", new JsonObject { ["i"] = i }, CancellationToken.None))));

        Assert.Equal(64, stored.Select(e => e.Key).Distinct().Count());
        var restarted = Restart();
        Assert.Equal(stored.Select(e => e.Key).Order(StringComparer.Ordinal), restarted.ListPending().Select(e => e.Key));
    }

    /// <summary>docs/adr/0020: a removed data directory is made anew and locked by this process before the outbox goes back in.</summary>
    [Theory]
    [InlineData(10)]
    [InlineData(100_000)]
    public async Task A_removed_data_directory_nobody_else_locked_is_locked_again_before_the_outbox_is_made_anew_in_it(int size)
    {
        using var held = DataDirectoryLock.TryAcquire(DataDirectory, out var problem) ?? throw new InvalidOperationException(problem);
        var outbox = NewOutbox(new FakeTimeProvider(Start), held);
        await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        Directory.Delete(DataDirectory, recursive: true);

        var stored = await outbox.AddAsync("op-2", Sized(size), CancellationToken.None);

        Assert.Null(DataDirectoryLock.TryAcquire(DataDirectory, out problem));
        Assert.Contains($"pid {Environment.ProcessId})", problem, StringComparison.Ordinal);
        CloseAll();
        Assert.Equal([stored.Key], Restart().ListPending().Select(e => e.Key));
    }

    /// <summary>
    /// docs/adr/0020, docs/adr/0045: removing the data directory voids its lock, and another process
    /// may make it anew and lock it. This outbox writes nothing there — no segment or temporary
    /// file, no <c>outbox/</c> — and not even once that process is gone: refusing beats
    /// adopting a directory another process may have written in. Each store fails with a storage
    /// fault naming the directory and the pid in its lock file (the result waits, docs/adr/0014).
    /// </summary>
    [Fact]
    public async Task A_data_directory_removed_and_made_anew_by_another_process_gets_nothing_from_this_outbox_even_once_that_process_is_gone()
    {
        using var held = DataDirectoryLock.TryAcquire(DataDirectory, out var problem) ?? throw new InvalidOperationException(problem);
        var outbox = NewOutbox(new FakeTimeProvider(Start), held);
        var delivered = await outbox.AddAsync("op-1", new JsonObject(), CancellationToken.None);
        Directory.Delete(DataDirectory, recursive: true);
        var other = DataDirectoryLock.TryAcquire(DataDirectory, out problem); // the second process
        Assert.True(other is not null, problem);

        outbox.Remove(delivered); // its record went with the directory: nothing to write for it
        var small = await Assert.ThrowsAnyAsync<IOException>(() => outbox.AddAsync("op-2", new JsonObject(), CancellationToken.None));
        var large = await Assert.ThrowsAnyAsync<IOException>(() => outbox.AddAsync("op-3", Sized(100_000), CancellationToken.None));
        other!.Dispose(); // gone: nobody holds the directory now
        var later = await Assert.ThrowsAnyAsync<IOException>(() => outbox.AddAsync("op-2", new JsonObject(), CancellationToken.None));

        Assert.All([small, large, later], fault => Assert.Contains($"'{DataDirectory}'", fault.Message, StringComparison.Ordinal));
        Assert.Contains($"pid {Environment.ProcessId})", small.Message, StringComparison.Ordinal); // the holder, here this test
        CloseAll();
        Assert.Equal([DataDirectoryLock.FileName], Directory.EnumerateFileSystemEntries(DataDirectory).Select(Path.GetFileName));
    }

    /// <summary>Opens the store under test on <see cref="DataDirectory"/>, checking <paramref name="held"/> before it writes anything new there.</summary>
    private protected abstract IResultOutbox Open(TimeProvider time, DataDirectoryLock? held);

    protected IResultOutbox NewOutbox(DateTimeOffset? now = null) => NewOutbox(new FakeTimeProvider(now ?? Start));

    private protected IResultOutbox NewOutbox(TimeProvider time, DataDirectoryLock? held = null)
    {
        var outbox = Open(time, held);
        _opened.Add(outbox);
        return outbox;
    }

    /// <summary>Closes every instance opened so far, as a process exit does, then opens the store again.</summary>
    protected IResultOutbox Restart(DateTimeOffset? now = null) => Restart(new FakeTimeProvider(now ?? Start));

    protected IResultOutbox Restart(TimeProvider time)
    {
        CloseAll();
        return NewOutbox(time);
    }

    protected void CloseAll()
    {
        foreach (var outbox in _opened)
        {
            (outbox as IDisposable)?.Dispose();
        }

        _opened.Clear();
    }

    private static JsonObject Sized(int size) => new() { ["text"] = new string('x', size) };

    /// <summary><c>{"d":{"d":…{"s":"…"}…}}</c>, <paramref name="depth"/> objects deep.</summary>
    private static JsonObject Nested(int depth, string text)
    {
        var node = new JsonObject { ["s"] = text };
        for (var i = 1; i < depth; i++)
        {
            node = new JsonObject { ["d"] = node };
        }

        return node;
    }
}
