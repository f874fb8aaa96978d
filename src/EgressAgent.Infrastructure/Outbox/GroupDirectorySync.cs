namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// Group commit of a directory's renames (docs/adr/0029): <see cref="FlushAsync"/> completes once a
/// directory fsync that started after the call has finished, and one fsync serves every caller
/// that arrived while the previous one ran (<see cref="GroupCommit{T}"/>). Used for results large
/// enough to have a file of their own (docs/adr/0032).
/// </summary>
internal sealed class GroupDirectorySync
{
    private readonly string _directory;
    private readonly Action<string> _flush;
    private readonly GroupCommit<bool> _groups;
    private long _flushes;

    public GroupDirectorySync(string directory, Action<string> flush)
    {
        _directory = directory;
        _flush = flush;
        _groups = new GroupCommit<bool>(_ => FlushOnce());
    }

    public GroupDirectorySync(string directory)
        : this(directory, DirectorySync.Flush)
    {
    }

    /// <summary>How many directory fsyncs ran: with <c>results stored</c>, the size of the groups.</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>Call after the rename: when the task completes, the rename is durable.</summary>
    public Task FlushAsync() => _groups.CommitAsync(true);

    private void FlushOnce()
    {
        Interlocked.Increment(ref _flushes);

        // Errors are not reported, as before group commit: the rename already happened, and a
        // caller that saw an exception would store the result a second time (docs/adr/0014).
        try
        {
            _flush(_directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
