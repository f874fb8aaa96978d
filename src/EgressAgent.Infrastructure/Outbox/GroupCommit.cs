namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// Leader/follower group commit (docs/adr/0029, docs/adr/0032): <see cref="CommitAsync"/> completes
/// once a commit that started after the call and included <typeparamref name="T"/> has finished,
/// and one commit serves every caller that arrived while the previous one ran. An uncontended
/// caller commits on its own thread, with no thread hop; only when callers queue up does a pool
/// thread commit their groups, one at a time. A commit that throws fails every member of its
/// group with that exception.
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
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = ex;
        }

        lock (_gate)
        {
            if (_waiting is null)
            {
                _committing = false;
                return failure is null ? Task.CompletedTask : Task.FromException(failure);
            }
        }

        // Others queued behind this commit. This caller is done: a pool thread serves them, so no
        // caller keeps committing for others (and holding its worker) while arrivals keep coming.
        ThreadPool.UnsafeQueueUserWorkItem(static self => self.CommitWaitingGroups(), this, preferLocal: false);
        return failure is null ? Task.CompletedTask : Task.FromException(failure);
    }

    private void CommitWaitingGroups()
    {
        while (true)
        {
            Group group;
            lock (_gate)
            {
                if (_waiting is null)
                {
                    _committing = false;
                    return;
                }

                group = _waiting;
                _waiting = null;
            }

            try
            {
                commit(group.Members);
                group.Completion.SetResult();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                group.Completion.SetException(ex);
            }
        }
    }

    private sealed class Group
    {
        public List<T> Members { get; } = [];

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
