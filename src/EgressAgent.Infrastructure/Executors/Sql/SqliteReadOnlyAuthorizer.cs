using System.Collections.Frozen;
using EgressAgent.Domain.Faults;
using SQLitePCL;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// SQLite's authorizer (<c>sqlite3_set_authorizer</c>) for the agent's connections: reads only
/// (docs/protocol.md §10). Opening the file read-only stops writes to it, but not <c>VACUUM INTO</c>
/// (which writes a new file), <c>ATTACH</c>, transactions, temporary tables or setting pragmas;
/// SQLite asks this callback about every action while it prepares a statement, so a refused
/// statement never runs and fails with <c>SQLITE_AUTH</c>. Anything not named here is refused,
/// including action codes a later SQLite may add.
/// </summary>
internal static class SqliteReadOnlyAuthorizer
{
    /// <summary>
    /// Called by name: loading native code, and the file functions some builds register. The
    /// bundled SQLite registers only <c>load_extension</c> (off anyway) and <c>fts3_tokenizer</c>.
    /// </summary>
    private static readonly FrozenSet<string> DeniedFunctions = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "load_extension", "fts3_tokenizer", "readfile", "writefile", "edit");

    /// <summary>Pragmas that only read a setting: allowed without an argument (with one they set it).</summary>
    private static readonly FrozenSet<string> ReadOnlySettings = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "user_version", "application_id", "schema_version", "encoding", "page_size", "page_count", "freelist_count");

    /// <summary>
    /// Pragmas that describe the schema: allowed with an argument, which names a table or an
    /// index. The table-valued forms (<c>select * from pragma_table_info('t')</c>) ask for these too.
    /// </summary>
    private static readonly FrozenSet<string> SchemaPragmas = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list");

    // One static delegate: SQLite calls it from native code on every prepare, so it must stay
    // rooted for as long as any connection may use it (SQLitePCLRaw also pins the delegate it is given).
    private static readonly delegate_authorizer Callback = Authorize;

    /// <summary>Installs the authorizer on an open connection; each call replaces the previous one.</summary>
    public static void Install(sqlite3 handle)
    {
        var rc = raw.sqlite3_set_authorizer(handle, Callback, null);
        if (rc != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite refused the read-only authorizer (result code {rc}).");
        }
    }

    /// <summary>Removes the authorizer before the connection goes back to the pool.</summary>
    public static void Remove(sqlite3 handle) => raw.sqlite3_set_authorizer(handle, (delegate_authorizer?)null, null);

    /// <summary>SQLITE_OK to allow, SQLITE_DENY to refuse the whole statement (never SQLITE_IGNORE, which would read NULLs in silence).</summary>
    internal static int Authorize(object userData, int action, utf8z first, utf8z second, utf8z database, utf8z trigger)
    {
        try
        {
            return action switch
            {
                raw.SQLITE_SELECT or raw.SQLITE_READ or raw.SQLITE_RECURSIVE => raw.SQLITE_OK,
                raw.SQLITE_FUNCTION => IsAllowedFunction(second.utf8_to_string()) ? raw.SQLITE_OK : raw.SQLITE_DENY,
                raw.SQLITE_PRAGMA => IsReadOnlyPragma(first.utf8_to_string(), second.utf8_to_string()) ? raw.SQLITE_OK : raw.SQLITE_DENY,
                _ => raw.SQLITE_DENY,
            };
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            // Never let an exception cross into native code; a doubt refuses.
            return raw.SQLITE_DENY;
        }
    }

    private static bool IsAllowedFunction(string? name) => name is not null && !DeniedFunctions.Contains(name);

    private static bool IsReadOnlyPragma(string? name, string? argument) => name is not null
        && (SchemaPragmas.Contains(name) || (argument is null && ReadOnlySettings.Contains(name)));
}
