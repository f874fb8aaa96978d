using EgressAgent.Infrastructure.Storage;
using Microsoft.Data.Sqlite;

namespace EgressAgent.Infrastructure.Outbox.Sqlite;

/// <summary>
/// The database file <c>{DataDirectory}/outbox/results.db</c> (docs/adr/0045): created <c>0600</c> by the
/// outbox before SQLite opens it, so its <c>-wal</c> and <c>-shm</c> files, which SQLite creates with
/// the database's mode, are <c>0600</c> too; then WAL, synchronous=FULL and the one table.
/// </summary>
internal sealed class SqliteOutboxFile(string directory, Action ensureHeld)
{
    public const string FileName = "results.db";

    private const string Schema = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=FULL;
        PRAGMA journal_size_limit=4194304;
        CREATE TABLE IF NOT EXISTS results(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            operation_id TEXT NOT NULL,
            created INTEGER NOT NULL,
            result BLOB NOT NULL);
        """;

    public string Directory { get; } = directory;

    public string Path { get; } = System.IO.Path.Combine(directory, FileName);

    /// <summary>For reading results while the writer writes (WAL: readers never block it); pooled.</summary>
    public string ReaderConnectionString => new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly }.ToString();

    /// <summary>
    /// The writer's connection and the identity of the file it opened, after the data directory's lock
    /// was checked (docs/adr/0020). Never lets SQLite create the file (it would not be private): a
    /// missing one is created here, with its directories.
    /// </summary>
    public (SqliteConnection Connection, FileIdentity? Identity) Open()
    {
        // Every time, not only when the file is missing: a database found at the path after the
        // directory was removed may be another process's, made in the directory it locked since.
        ensureHeld();
        if (!File.Exists(Path))
        {
            CreatePrivate();
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Schema;
            command.ExecuteNonQuery();
            return (connection, FileIdentity.Of(Path));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Moves the database and its WAL aside into <paramref name="quarantine"/>; the new name of the database.</summary>
    public string MoveTo(string quarantine)
    {
        OutboxFiles.CreateOwnerOnlyDirectory(quarantine);
        var target = System.IO.Path.Combine(quarantine, $"{DateTime.UtcNow.Ticks:D20}-{FileName}");
        foreach (var suffix in new[] { "-wal", "-shm", string.Empty })
        {
            if (File.Exists(Path + suffix))
            {
                File.Move(Path + suffix, target + suffix);
            }
        }

        return target;
    }

    private void CreatePrivate()
    {
        try
        {
            new FileStream(Path, OutboxFiles.PrivateFileOptions(FileMode.CreateNew)).Dispose();
        }
        catch (DirectoryNotFoundException)
        {
            // Removed since the last write (docs/adr/0014); a file in its place fails here, as it should.
            OutboxFiles.CreateOwnerOnlyDirectory(Directory);
            new FileStream(Path, OutboxFiles.PrivateFileOptions(FileMode.CreateNew)).Dispose();
        }
        catch (IOException) when (File.Exists(Path))
        {
            // Created meanwhile: only this process writes here, so by this outbox's earlier attempt.
        }
    }
}
