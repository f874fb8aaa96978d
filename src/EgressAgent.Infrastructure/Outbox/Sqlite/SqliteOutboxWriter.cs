using EgressAgent.Domain.Faults;
using EgressAgent.Infrastructure.Storage;
using Microsoft.Data.Sqlite;

namespace EgressAgent.Infrastructure.Outbox.Sqlite;

/// <summary>
/// The one writer of the outbox database (docs/adr/0045): a thread of its own that takes every result
/// queued since its last commit, and every delivered one to delete, and commits them in one
/// transaction. A result's task completes only after that commit is durable (WAL, synchronous=FULL:
/// one fdatasync of the WAL per group). A group of deletions alone is committed without a sync, like
/// the acks of docs/adr/0032: kill -9 keeps it, a power cut may make one result be PUT again. A failed
/// commit fails every result of its group with an <see cref="IOException"/> (the callers retry, docs/adr/0014)
/// and keeps its deletions for the next commit; the connection is closed and opened anew.
/// </summary>
internal sealed class SqliteOutboxWriter : IDisposable
{
    private static readonly TimeSpan RemovalRetry = TimeSpan.FromSeconds(1);

    private readonly SqliteOutboxFile _file;
    private readonly object _gate = new(); // Monitor.Wait/Pulse: the writer sleeps until something is queued
    private readonly Thread _thread;
    private List<SqlitePendingAdd> _adds = [];
    private List<long> _removals = [];
    private bool _closing;
    private SqliteConnection? _connection;
    private FileIdentity? _identity;
    private SqliteCommand? _insert;
    private SqliteCommand? _insertLarge;
    private SqliteCommand? _delete;
    private bool _synced = true;

    /// <summary>The highest row id this process has known: a database made anew continues above it, so no key is given twice.</summary>
    private long _lastId;
    private long _commits;
    private long _records;

    /// <param name="connection">The connection the outbox opened and recovered with at start (<see cref="SqliteOutboxFile.Open"/>).</param>
    public SqliteOutboxWriter(SqliteOutboxFile file, SqliteConnection connection, FileIdentity? identity)
    {
        _file = file;
        Use(connection, identity);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'results'";
            _lastId = (long)command.ExecuteScalar()!;
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "outbox writer" };
        _thread.Start();
    }

    /// <summary>Runs at the start of every commit, on the writer's thread; tests put a gate or a fault here.</summary>
    public Action BeforeCommit { get; set; } = static () => { };

    /// <summary>How many transactions committed: with <see cref="Records"/>, the size of the groups.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>How many results were stored.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>Completes with the row's id once the result is durable; faults with the commit's error.</summary>
    public Task<long> AddAsync(SqlitePendingAdd add)
    {
        lock (_gate)
        {
            if (_closing)
            {
                throw new IOException("The outbox is closed.");
            }

            _adds.Add(add);
            Monitor.Pulse(_gate);
        }

        return add.Stored.Task;
    }

    /// <summary>Queues the row's deletion for the next commit; a crash before it only makes the result be sent again.</summary>
    public void Remove(long id)
    {
        lock (_gate)
        {
            _removals.Add(id);
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Waits for the commit in progress and commits what is queued, then closes the database.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closing = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
        Close();
    }

    private void Run()
    {
        List<SqlitePendingAdd> adds = [];
        List<long> removals = [];
        var failed = false;
        while (true)
        {
            bool last;
            lock (_gate)
            {
                // After a failed commit, deletions alone wait a while: a broken disk is not hammered.
                while (!_closing && _adds.Count == 0 && (_removals.Count == 0 || failed))
                {
                    if (failed)
                    {
                        failed = Monitor.Wait(_gate, RemovalRetry);
                    }
                    else
                    {
                        Monitor.Wait(_gate);
                    }
                }

                last = _closing;
                (adds, _adds) = (_adds, adds);
                (removals, _removals) = (_removals, removals);
            }

            if (adds.Count > 0 || removals.Count > 0)
            {
                failed = !Commit(adds, removals);
                if (failed && !last)
                {
                    lock (_gate)
                    {
                        _removals.AddRange(removals); // kept for the next commit
                    }
                }

                adds.Clear();
                removals.Clear();
            }

            if (last)
            {
                return;
            }
        }
    }

    private bool Commit(List<SqlitePendingAdd> adds, List<long> removals)
    {
        var ids = new long[adds.Count];
        try
        {
            BeforeCommit();
            if (adds.Count == 0 && (IsGone() || (_connection is null && !File.Exists(_file.Path))))
            {
                // The rows went with their database (its directory removed): nothing to delete, and
                // no reason to make a database, or a directory, anew for it.
                Close();
                return true;
            }

            var connection = Connection();
            var synced = adds.Count > 0;
            if (synced != _synced)
            {
                Execute(connection, synced ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
                _synced = synced;
            }

            using (var transaction = connection.BeginTransaction())
            {
                for (var i = 0; i < adds.Count; i++)
                {
                    ids[i] = Insert(connection, transaction, adds[i]);
                }

                _delete!.Transaction = transaction;
                foreach (var id in removals)
                {
                    _delete.Parameters[0].Value = id;
                    _delete.ExecuteNonQuery();
                }

                transaction.Commit();
            }
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            var fault = ex is SqliteException sqlite ? SqliteStorageFault.Translate(sqlite) : ex;
            Close(); // opened anew for the next group: whatever state the failure left is not written to again
            foreach (var add in adds)
            {
                add.Stored.TrySetException(fault);
            }

            return false;
        }

        if (adds.Count > 0)
        {
            _lastId = Math.Max(_lastId, ids.Max());
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _records, adds.Count);
        for (var i = 0; i < adds.Count; i++)
        {
            adds[i].Stored.TrySetResult(ids[i]);
        }

        return true;
    }

    private long Insert(SqliteConnection connection, SqliteTransaction transaction, SqlitePendingAdd add)
    {
        var command = add.Bytes is null ? _insertLarge! : _insert!;
        command.Transaction = transaction;
        command.Parameters[0].Value = add.OperationId;
        command.Parameters[1].Value = add.CreatedTicks;
        command.Parameters[2].Value = add.Bytes is { } bytes ? bytes : add.Length;
        var id = (long)command.ExecuteScalar()!;
        if (add.SpillPath is { } spill)
        {
            // Streamed into the row the commit creates: a large result is never whole in memory.
            using var blob = new SqliteBlob(connection, "results", "result", id);
            using var file = new FileStream(spill, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            file.CopyTo(blob, 64 * 1024);
        }

        return id;
    }

    /// <summary>
    /// The open connection, or a new one when there is none or the database file at the path is no
    /// longer the one it opened (its directory removed under the agent: what is committed to an
    /// unlinked file no restart could find). One statx per group.
    /// </summary>
    private SqliteConnection Connection()
    {
        if (IsGone())
        {
            Close();
        }

        if (_connection is null)
        {
            var (connection, identity) = _file.Open();
            Use(connection, identity);

            // A database made anew (its directory removed) would start its ids at 1 again, and
            // this process still knows entries of the lost one by theirs.
            Execute(connection, $"""
                UPDATE sqlite_sequence SET seq = max(seq, {_lastId}) WHERE name = 'results';
                INSERT INTO sqlite_sequence(name, seq) SELECT 'results', {_lastId} WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'results');
                """);
        }

        return _connection!;
    }

    /// <summary>Whether the database this writer has open is no longer the file at its path (false when none is open).</summary>
    private bool IsGone() =>
        _connection is not null && (_identity is { } opened ? FileIdentity.Of(_file.Path) != opened : !File.Exists(_file.Path));

    private void Use(SqliteConnection connection, FileIdentity? identity)
    {
        _connection = connection;
        _identity = identity;
        _synced = true;
        _insert = Prepare(connection, "INSERT INTO results(operation_id, created, result) VALUES ($operation, $created, $result) RETURNING id", "$operation", "$created", "$result");
        _insertLarge = Prepare(connection, "INSERT INTO results(operation_id, created, result) VALUES ($operation, $created, zeroblob($length)) RETURNING id", "$operation", "$created", "$length");
        _delete = Prepare(connection, "DELETE FROM results WHERE id = $id", "$id");
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string text, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = text;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static void Execute(SqliteConnection connection, string text)
    {
        using var command = connection.CreateCommand();
        command.CommandText = text;
        command.ExecuteNonQuery();
    }

    private void Close()
    {
        _insert?.Dispose();
        _insertLarge?.Dispose();
        _delete?.Dispose();
        _connection?.Dispose();
        _insert = _insertLarge = _delete = null;
        _connection = null;
    }
}
