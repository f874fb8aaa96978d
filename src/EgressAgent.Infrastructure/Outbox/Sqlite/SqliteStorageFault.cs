using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace EgressAgent.Infrastructure.Outbox.Sqlite;

/// <summary>
/// SQLite's errors as the exceptions the outbox's users expect (docs/adr/0014): a full disk, an I/O
/// error or a read-only file system is an <see cref="IOException"/> carrying the errno, so the
/// result waits in memory, intake pauses and health names the fault in a few words.
/// </summary>
internal static class SqliteStorageFault
{
    private const int Eio = 5;
    private const int Enospc = 28;
    private const int Erofs = 30;

    /// <summary>Whether the database file itself is damaged: quarantined, never retried for ever (docs/protocol.md §10).</summary>
    public static bool IsCorrupt(SqliteException exception) =>
        exception.SqliteErrorCode is raw.SQLITE_CORRUPT or raw.SQLITE_NOTADB;

    /// <summary>The fault as an <see cref="IOException"/> carrying the errno it stands for (or an <see cref="UnauthorizedAccessException"/>).</summary>
    public static Exception Translate(SqliteException exception) => exception.SqliteErrorCode switch
    {
        raw.SQLITE_FULL => new IOException(Message(exception, Enospc), Enospc),
        raw.SQLITE_READONLY => new IOException(Message(exception, Erofs), Erofs),
        raw.SQLITE_PERM or raw.SQLITE_AUTH => new UnauthorizedAccessException(exception.Message, exception),
        _ => new IOException(exception.Message, Eio),
    };

    private static string Message(SqliteException exception, int errno) =>
        $"{Marshal.GetPInvokeErrorMessage(errno)} ({exception.Message})";
}
