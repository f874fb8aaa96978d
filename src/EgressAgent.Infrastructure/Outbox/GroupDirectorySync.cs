namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// Group commit of a directory's renames (docs/adr/0029): <see cref="FlushAsync"/> completes once a
/// directory fsync that started after the call has finished, and one fsync serves every caller
/// that arrived while the previous one ran. An uncontended caller flushes on its own thread, as
/// before; only when callers queue up does a pool thread run the fsyncs for them, one at a time.
/// </summary>
internal sealed class GroupDirectorySync(string directory, Action<string> flush)
{
    private readonly Lock _gate = new();

    /// <summary>The callers that arrived while an fsync ran; the next fsync is theirs.</summary>
    private TaskCompletionSource? _waiting;
    private bool _flushing;
    private long _flushes;

    public GroupDirectorySync(string directory)
        : this(directory, DirectorySync.Flush)
    {
    }

    /// <summary>How many directory fsyncs ran: with <c>results stored</c>, the size of the groups.</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>Call after the rename: when the task completes, the rename is durable.</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            if (_flushing)
            {
                // An fsync is running, but it may have started before this caller's rename: wait
                // for the next one, which starts only after the running one ends.
                return (_waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            _flushing = true;
        }

        FlushOnce();
        lock (_gate)
        {
            if (_waiting is null)
            {
                _flushing = false;
                return Task.CompletedTask;
            }
        }

        // Others queued behind this fsync. This caller is done: a pool thread serves them, so no
        // caller keeps flushing for others (and holding its worker) while arrivals keep coming.
        ThreadPool.UnsafeQueueUserWorkItem(static self => self.FlushWaitingGroups(), this, preferLocal: false);
        return Task.CompletedTask;
    }

    private void FlushWaitingGroups()
    {
        while (true)
        {
            TaskCompletionSource group;
            lock (_gate)
            {
                if (_waiting is null)
                {
                    _flushing = false;
                    return;
                }

                group = _waiting;
                _waiting = null;
            }

            FlushOnce();
            group.SetResult();
        }
    }

    private void FlushOnce()
    {
        Interlocked.Increment(ref _flushes);

        // Errors are not reported, as before group commit: the rename already happened, and a
        // caller that saw an exception would store the result a second time (docs/adr/0014).
        try
        {
            flush(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
