using System.Globalization;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>SQLite's primary result codes by their C names (sqlite.org/rescode.html).</summary>
internal static class SqliteErrorNames
{
    private static readonly string[] Names =
    [
        "SQLITE_OK", "SQLITE_ERROR", "SQLITE_INTERNAL", "SQLITE_PERM", "SQLITE_ABORT", "SQLITE_BUSY",
        "SQLITE_LOCKED", "SQLITE_NOMEM", "SQLITE_READONLY", "SQLITE_INTERRUPT", "SQLITE_IOERR",
        "SQLITE_CORRUPT", "SQLITE_NOTFOUND", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL",
        "SQLITE_EMPTY", "SQLITE_SCHEMA", "SQLITE_TOOBIG", "SQLITE_CONSTRAINT", "SQLITE_MISMATCH",
        "SQLITE_MISUSE", "SQLITE_NOLFS", "SQLITE_AUTH", "SQLITE_FORMAT", "SQLITE_RANGE",
        "SQLITE_NOTADB", "SQLITE_NOTICE", "SQLITE_WARNING",
    ];

    /// <summary>The name of a primary code; the number for codes this table does not know.</summary>
    public static string Of(int code) => code >= 0 && code < Names.Length
        ? Names[code]
        : code.ToString(CultureInfo.InvariantCulture);
}
