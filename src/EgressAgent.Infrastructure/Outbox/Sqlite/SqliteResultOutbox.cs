using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Configuration;
using EgressAgent.Application.Ports;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Outbox.Sqlite;

/// <summary>
/// Results in one SQLite database, <c>{DataDirectory}/outbox/results.db</c> (docs/adr/0045): a row per
/// result, written by one writer that commits every queued result in one transaction (WAL,
/// synchronous=FULL) before <see cref="AddAsync(string, JsonObject, CancellationToken)"/> returns; delivery deletes the row.
/// A large result is serialised into a private spill file first and streamed into its row inside
/// the commit, so it is never whole in memory. What is pending is read once, at start, and kept in
/// memory: listing costs no query. A failed commit stores nothing a retry would duplicate (docs/adr/0014);
/// files are <c>0600</c>; a corrupt database is moved to <c>{DataDirectory}/quarantine</c> and a new one started.
/// </summary>
internal sealed class SqliteResultOutbox : IResultOutbox, IDisposable
{
    private const string SpillExtension = ".spill";

    /// <summary>Just-stored results kept in memory for their first delivery, in bytes (docs/adr/0032).</summary>
    private const long CacheLimit = 1024 * 1024;

    private const int MaxCachedEntries = 1024;

    private readonly string _directory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SqliteResultOutbox> _logger;
    private readonly DataDirectoryLock? _dataLock;
    private readonly SqliteOutboxFile _file;
    private readonly SqliteOutboxWriter _writer;
    private readonly Lock _indexGate = new();
    private readonly Dictionary<string, SqliteIndexEntry> _index;
    private readonly Queue<SqliteIndexEntry> _cached = new();
    private long _cachedBytes;
    private int _pending;

    /// <param name="dataLock">The lock this process holds on the data directory (docs/adr/0020); null (tests of the outbox alone) checks nothing.</param>
    public SqliteResultOutbox(IOptions<StorageOptions> options, TimeProvider timeProvider, ILogger<SqliteResultOutbox> logger, DataDirectoryLock? dataLock = null)
    {
        _dataLock = dataLock;
        _timeProvider = timeProvider;
        _logger = logger;
        var data = Path.GetFullPath(options.Value.DataDirectory);
        _directory = Path.Combine(data, "outbox");
        var quarantine = Path.Combine(data, "quarantine");
        PrivateDirectory.Create(_directory);
        foreach (var leftover in Directory.EnumerateFiles(_directory, "*" + SpillExtension))
        {
            // A result being serialised when the process died: never acknowledged, so nothing promised is lost.
            if (Guid.TryParseExact(Path.GetFileNameWithoutExtension(leftover), "N", out _))
            {
                File.Delete(leftover);
            }
        }

        _file = new SqliteOutboxFile(_directory, EnsureDataDirectoryHeld);

        // Each stored result's remaining time to live is fixed here and counts down on the
        // monotonic clock from now on (docs/adr/0042).
        var loadedAt = timeProvider.GetUtcNow();
        var loadedStamp = timeProvider.GetTimestamp();
        var (connection, identity, index) = Recover(quarantine, (key, createdAt) => OutboxEntry.Loaded(key, createdAt, loadedAt, loadedStamp));
        _index = index;
        _pending = _index.Count;
        _writer = new SqliteOutboxWriter(_file, connection, identity);
        if (_pending > 0)
        {
            OutboxLog.Backlog(_logger, _pending, _directory);
        }
    }

    public int PendingCount => Volatile.Read(ref _pending);

    /// <summary>The writer, for tests: its commit hook and its counts.</summary>
    internal SqliteOutboxWriter Writer => _writer;

    public Task<OutboxEntry> AddAsync(string operationId, JsonObject result, CancellationToken cancellationToken) =>
        AddAsync(operationId, writer => result.WriteTo(writer), cancellationToken);

    public Task<OutboxEntry> AddAsync(string operationId, OperationResult result, CancellationToken cancellationToken) =>
        AddAsync(operationId, writer => result.WriteTo(writer), cancellationToken);

    private async Task<OutboxEntry> AddAsync(string operationId, Action<Utf8JsonWriter> writeResult, CancellationToken cancellationToken)
    {
        var createdAt = _timeProvider.GetUtcNow();
        var createdStamp = _timeProvider.GetTimestamp();
        string? spillPath = null;
        FileStream? spillFile = null;
        var spill = new SpillStream(SpillStream.Limit, () =>
        {
            // Outgrew memory: the rest goes to a private file the commit copies into the row.
            EnsureDataDirectoryHeld();
            spillPath = Path.Combine(_directory, Guid.NewGuid().ToString("N") + SpillExtension);
            spillFile = CreateSpill(spillPath);
            return spillFile;
        });
        try
        {
            await using (var writer = new Utf8JsonWriter(spill))
            {
                writeResult(writer);
                await writer.FlushAsync(cancellationToken);
            }

            var bytes = spill.Spilled is null ? spill.ToArray([], []) : null;
            if (spillFile is not null)
            {
                await spillFile.DisposeAsync();
            }

            var id = await _writer.AddAsync(new SqlitePendingAdd(operationId, createdAt.UtcTicks, bytes, spillPath, spill.Length));
            var entry = new OutboxEntry(SqliteOutboxRecovery.KeyOf(createdAt.UtcTicks, id), createdAt, createdStamp, TimeSpan.Zero);
            Index(new SqliteIndexEntry(entry, id, operationId, spill.Length) { Cached = bytes });
            return entry;
        }
        finally
        {
            if (spillFile is not null)
            {
                await spillFile.DisposeAsync();
                OutboxFiles.TryDelete(spillPath!);
            }
        }
    }

    public IReadOnlyList<OutboxEntry> ListPending()
    {
        List<OutboxEntry> entries;
        lock (_indexGate)
        {
            entries = new List<OutboxEntry>(_index.Count);
            foreach (var indexed in _index.Values)
            {
                entries.Add(indexed.Entry);
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return entries;
    }

    /// <summary>From memory while the result is cached, else streamed from its row each time it is sent.</summary>
    public Task<StoredResult?> LoadAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_indexGate)
        {
            if (_index.TryGetValue(entry.Key, out var indexed))
            {
                IResultBody body = indexed.Cached is { } bytes
                    ? new MemoryResultBody(bytes)
                    : new SqliteResultBody(_file.ReaderConnectionString, indexed.Id, indexed.Length);
                return Task.FromResult<StoredResult?>(new StoredResult(indexed.OperationId, body));
            }
        }

        OutboxLog.Unreadable(_logger, entry.Key, nameof(FileNotFoundException));
        return Task.FromResult<StoredResult?>(null);
    }

    /// <summary>Takes the entry out of the list at once; its row is deleted by the writer's next commit.</summary>
    public void Remove(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        SqliteIndexEntry? indexed;
        lock (_indexGate)
        {
            // Claimed here, so two removals of one entry delete it once.
            if (!_index.Remove(entry.Key, out indexed))
            {
                return;
            }

            Uncache(indexed);
            _pending--;
        }

        _writer.Remove(indexed.Id);
    }

    /// <summary>Waits for a commit in progress and commits what is queued (deletions included), then closes.</summary>
    public void Dispose()
    {
        // Readers first: the last connection to close checkpoints the WAL and deletes it, and only
        // the writer may (a read-only one leaves the WAL and shared memory files behind).
        using (var reader = new SqliteConnection(_file.ReaderConnectionString))
        {
            SqliteConnection.ClearPool(reader);
        }

        _writer.Dispose();
    }

    /// <summary>
    /// Opens the database and reads what is pending, after importing what the segment-log outbox left
    /// (docs/adr/0045). A database SQLite calls corrupt is moved to quarantine with an error line and a
    /// new one started: the agent never refuses to start for ever over it.
    /// </summary>
    private (SqliteConnection, FileIdentity?, Dictionary<string, SqliteIndexEntry>) Recover(string quarantine, Func<string, DateTimeOffset, OutboxEntry> entryOf)
    {
        for (var attempt = 0; ; attempt++)
        {
            SqliteConnection? connection = null;
            try
            {
                (connection, var identity) = _file.Open();
                LegacyOutboxImport.Import(_directory, quarantine, connection, _logger);
                return (connection, identity, SqliteOutboxRecovery.Read(connection, quarantine, entryOf, _logger));
            }
            catch (SqliteException ex) when (attempt == 0 && SqliteStorageFault.IsCorrupt(ex))
            {
                connection?.Dispose();
                SqliteConnection.ClearPool(new SqliteConnection(_file.ReaderConnectionString));
                OutboxLog.DatabaseQuarantined(_logger, ex.Message, _file.MoveTo(quarantine));
            }
            catch (SqliteException ex)
            {
                connection?.Dispose();
                throw SqliteStorageFault.Translate(ex);
            }
        }
    }

    private void Index(SqliteIndexEntry indexed)
    {
        lock (_indexGate)
        {
            _index.Add(indexed.Entry.Key, indexed);
            _pending++;
            if (indexed.Cached is { } bytes)
            {
                _cached.Enqueue(indexed);
                _cachedBytes += bytes.Length;
                while ((_cachedBytes > CacheLimit || _cached.Count > MaxCachedEntries) && _cached.TryDequeue(out var oldest))
                {
                    Uncache(oldest);
                }
            }
        }
    }

    /// <summary>Drops a result's bytes from memory. Call under the index gate.</summary>
    private void Uncache(SqliteIndexEntry indexed)
    {
        if (indexed.Cached is { } bytes)
        {
            _cachedBytes -= bytes.Length;
            indexed.Cached = null;
        }
    }

    private FileStream CreateSpill(string path)
    {
        var options = OutboxFiles.PrivateFileOptions(FileMode.CreateNew);
        try
        {
            return new FileStream(path, options);
        }
        catch (DirectoryNotFoundException)
        {
            OutboxFiles.CreateOwnerOnlyDirectory(_directory);
            return new FileStream(path, options);
        }
    }

    /// <summary>Before a new file or directory goes into the data directory (docs/adr/0020).</summary>
    private void EnsureDataDirectoryHeld()
    {
        if (_dataLock?.EnsureHeld() == true)
        {
            OutboxLog.Relocked(_logger, _dataLock.Directory);
        }
    }
}
