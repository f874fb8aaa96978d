using System.Globalization;
using EgressAgent.Application.Ports;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.Outbox.Sqlite;

/// <summary>
/// The outbox's one read of the database, at start (docs/adr/0045): every row is listed whatever its
/// result holds — a result is bytes here, never parsed, so no depth or size limit of recovery can
/// refuse what intake stored (docs/protocol.md §10). A row whose columns are not what the writer
/// writes is moved to <c>quarantine/</c> with an error line, and the others are delivered.
/// </summary>
internal static class SqliteOutboxRecovery
{
    public static Dictionary<string, SqliteIndexEntry> Read(
        SqliteConnection connection, string quarantine, Func<string, DateTimeOffset, OutboxEntry> entryOf, ILogger logger)
    {
        var index = new Dictionary<string, SqliteIndexEntry>(StringComparer.Ordinal);
        var corrupt = new List<long>();
        using (var command = connection.CreateCommand())
        {
            // length() of a blob reads its size, not its pages: listing costs no result's bytes.
            command.CommandText = """
                SELECT id, operation_id, created, length(result),
                       typeof(operation_id) = 'text' AND typeof(created) = 'integer' AND typeof(result) = 'blob'
                FROM results ORDER BY id
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                if (reader.GetInt64(4) == 0 || reader.GetInt64(2) is < 0 or > 3155378975999999999 || reader.GetInt64(3) < 2)
                {
                    corrupt.Add(id);
                    continue;
                }

                var entry = entryOf(KeyOf(reader.GetInt64(2), id), new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero));
                index.Add(entry.Key, new SqliteIndexEntry(entry, id, reader.GetString(1), reader.GetInt64(3)));
            }
        }

        foreach (var id in corrupt)
        {
            Quarantine(connection, quarantine, id, logger);
        }

        return index;
    }

    /// <summary>A row's key: its creation time, then its id, fixed-width, so that keys sort oldest first as the port promises.</summary>
    public static string KeyOf(long createdTicks, long id) =>
        $"{createdTicks.ToString("D20", CultureInfo.InvariantCulture)}-{id.ToString("D20", CultureInfo.InvariantCulture)}";

    /// <summary>Writes the row's columns to a file of their own in quarantine, then deletes the row: kept, never deleted unread.</summary>
    private static void Quarantine(SqliteConnection connection, string quarantine, long id, ILogger logger)
    {
        OutboxFiles.CreateOwnerOnlyDirectory(quarantine);
        var target = Path.Combine(quarantine, $"{DateTime.UtcNow.Ticks:D20}-row-{id.ToString(CultureInfo.InvariantCulture)}.txt");
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT quote(operation_id), quote(created), CAST(result AS BLOB) FROM results WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            reader.Read();
            using var file = new FileStream(target, OutboxFiles.PrivateFileOptions(FileMode.CreateNew));
            file.Write(System.Text.Encoding.UTF8.GetBytes($"operation_id: {reader.GetString(0)}\ncreated: {reader.GetString(1)}\nresult:\n"));
            if (!reader.IsDBNull(2))
            {
                // Whole, not GetStream: a stream over a computed column crashes the process in the
                // provider, and a row written by hand is not a large result.
                file.Write(reader.GetFieldValue<byte[]>(2));
            }

            file.Flush(flushToDisk: true);
        }

        using (var delete = connection.CreateCommand())
        {
            delete.CommandText = "DELETE FROM results WHERE id = $id";
            delete.Parameters.AddWithValue("$id", id);
            delete.ExecuteNonQuery();
        }

        OutboxLog.Quarantined(logger, $"results row {id.ToString(CultureInfo.InvariantCulture)}", "UnexpectedColumns", target);
    }
}
