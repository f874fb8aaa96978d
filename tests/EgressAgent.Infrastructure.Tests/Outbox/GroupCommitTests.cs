using EgressAgent.Infrastructure.Outbox;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>docs/adr/0043: whatever a commit throws, out of memory included, the next store can commit.</summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_commit_that_runs_out_of_memory_fails_its_caller_and_the_next_caller_commits()
    {
        var committed = new List<int>();
        var groups = new GroupCommit<int>(items =>
        {
            if (items.Contains(1))
            {
                throw new OutOfMemoryException();
            }

            committed.AddRange(items);
        });

        var failed = groups.CommitAsync(1);
        var next = groups.CommitAsync(2);

        await Assert.ThrowsAsync<OutOfMemoryException>(() => failed);
        await next.WaitAsync(Bound);
        Assert.Equal([2], committed);
    }

    [Fact]
    public async Task A_group_commit_that_runs_out_of_memory_fails_that_group_and_later_callers_still_commit()
    {
        using var firstStarted = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        var committed = new List<int>();
        var groups = new GroupCommit<int>(items =>
        {
            if (items.Contains(1))
            {
                firstStarted.Set();
                releaseFirst.Wait(Bound);
            }

            if (items.Contains(2))
            {
                throw new OutOfMemoryException(); // the group of those who waited behind the first commit
            }

            lock (committed)
            {
                committed.AddRange(items);
            }
        });

        var first = Task.Run(() => groups.CommitAsync(1));
        Assert.True(firstStarted.Wait(Bound));
        var second = groups.CommitAsync(2);
        var third = groups.CommitAsync(3);
        releaseFirst.Set();

        await first.WaitAsync(Bound);
        await Assert.ThrowsAsync<OutOfMemoryException>(() => second.WaitAsync(Bound));
        await Assert.ThrowsAsync<OutOfMemoryException>(() => third.WaitAsync(Bound)); // one group, one fate

        await groups.CommitAsync(4).WaitAsync(Bound);
        await groups.CommitAsync(5).WaitAsync(Bound);
        Assert.Equal([1, 4, 5], committed);
    }
}
