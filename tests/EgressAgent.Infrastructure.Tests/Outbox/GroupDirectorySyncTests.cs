using System.Collections.Concurrent;
using EgressAgent.Infrastructure.Outbox;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>docs/adr/0029: one directory fsync serves every rename that finished while the previous one ran.</summary>
public sealed class GroupDirectorySyncTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_uncontended_caller_flushes_on_its_own_and_is_done_when_the_call_returns()
    {
        var flushed = new List<string>();
        var sync = new GroupDirectorySync("/outbox", flushed.Add);

        var first = sync.FlushAsync();
        var second = sync.FlushAsync();

        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(["/outbox", "/outbox"], flushed);
        Assert.Equal(2, sync.Flushes);
        await Task.WhenAll(first, second);
    }

    [Fact]
    public async Task Callers_that_arrive_during_an_fsync_wait_for_the_next_one_and_share_it()
    {
        using var firstStarted = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        var events = new ConcurrentQueue<string>();
        var calls = 0;
        var sync = new GroupDirectorySync("/outbox", _ =>
        {
            var call = Interlocked.Increment(ref calls);
            events.Enqueue($"fsync {call} started");
            if (call == 1)
            {
                firstStarted.Set();
                releaseFirst.Wait(Bound);
            }
        });

        var leader = Task.Run(sync.FlushAsync);
        Assert.True(firstStarted.Wait(Bound));
        var group = Enumerable.Range(0, 10).Select(i =>
        {
            events.Enqueue($"caller {i} renamed");
            return sync.FlushAsync();
        }).ToList();

        // The running fsync may have started before their renames: it does not count for them.
        await Task.Delay(100);
        Assert.All(group, t => Assert.False(t.IsCompleted));

        releaseFirst.Set();
        await leader.WaitAsync(Bound);
        await Task.WhenAll(group).WaitAsync(Bound);

        Assert.Equal(2, sync.Flushes);
        var order = events.ToList();
        Assert.Equal("fsync 2 started", order[^1]);
        Assert.Equal(12, order.Count);
    }

    [Fact]
    public async Task A_failing_directory_fsync_does_not_fail_the_callers_whose_renames_are_done()
    {
        var sync = new GroupDirectorySync("/gone", _ => throw new DirectoryNotFoundException("gone"));

        await sync.FlushAsync().WaitAsync(Bound);

        Assert.Equal(1, sync.Flushes);
    }
}
