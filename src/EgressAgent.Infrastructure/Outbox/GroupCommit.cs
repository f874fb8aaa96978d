using EgressAgent.Domain.Faults;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// Leader/follower group commit (docs/adr/0029, docs/adr/0032): <see cref="CommitAsync"/> completes
/// once a commit that started after the call and included <typeparamref name="T"/> has finished,
/// and one commit serves every caller that arrived while the previous one ran. An uncontended
/// caller commits on its own thread, with no thread hop; only when callers queue up does a pool
/// thread commit their groups, one at a time. A commit that throws fails every member of its
/// group with that exception — whatever it is, out of memory included — and the next caller
/// still commits: the state is handed on in <c>finally</c> (docs/adr/0043).
/// </summary>
internal sealed class GroupCommit<T>(Action<IReadOnlyList<T>> commit)
{
    private readonly Lock _gate = new();

    /// <summary>The items that arrived while a commit ran; the next commit is theirs.</summary>
    private Group? _waiting;
    private bool _committing;

    public Task CommitAsync(T item)
    {
        lock (_gate)
        {
            if (_committing)
            {
                // A commit is running, but it may have started before this item was ready: the
                // next one, which starts only after the running one ends, is this item's.
                _waiting ??= new Group();
                _waiting.Members.Add(item);
                return _waiting.Completion.Task;
            }

            _committing = true;
        }

        Exception? failure = null;
        try
        {
            commit([item]);
        }
        catch (Exception ex)
        {
            // Not swallowed: the caller's task carries it, whatever it is (out of memory included).
            failure = ex;
        }
        finally
        {
            // Whatever the commit did, the next caller can commit (docs/adr/0043): a flag left set
            // here would make every later store wait for ever.
            EndCommit();
        }

        return failure is null ? Task.CompletedTask : Task.FromException(failure);
    }

    /// <summary>
    /// Ends the caller's own commit: nobody waiting, the next caller commits; otherwise a pool
    /// thread serves those who queued up, so no caller keeps committing for others (and holding
    /// its worker) while arrivals keep coming.
    /// </summary>
    private void EndCommit()
    {
        lock (_gate)
        {
            if (_waiting is null)
            {
                _committing = false;
                return;
            }
        }

        try
        {
            ThreadPool.UnsafeQueueUserWorkItem(static self => self.CommitWaitingGroups(), this, preferLocal: false);
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            // No thread for them (out of memory): fail those who wait, and free the next commit.
            Group? stranded;
            lock (_gate)
            {
                stranded = _waiting;
                _waiting = null;
                _committing = false;
            }

            stranded?.Completion.TrySetException(ex);
        }
    }

    private void CommitWaitingGroups()
    {
        while (TakeWaitingGroup() is { } group)
        {
            try
            {
                commit(group.Members);
                group.Completion.TrySetResult();
            }
            catch (Exception ex)
            {
                // Every member of the group gets it, whatever it is; the loop goes on to the next group.
                group.Completion.TrySetException(ex);
            }
        }
    }

    /// <summary>The group to commit next; null (and the next caller commits on its own) when nobody waits.</summary>
    private Group? TakeWaitingGroup()
    {
        lock (_gate)
        {
            var group = _waiting;
            _waiting = null;
            _committing = group is not null;
            return group;
        }
    }

    private sealed class Group
    {
        public List<T> Members { get; } = [];

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
