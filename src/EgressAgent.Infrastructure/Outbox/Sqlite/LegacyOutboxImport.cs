using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.Outbox.Sqlite;

/// <summary>
/// An in-place upgrade loses no result (docs/adr/0045): what the segment-log outbox of docs/adr/0032 left
/// pending in <c>outbox/</c> — records of <c>*.segment</c> files whose offsets their <c>.acks</c> do not
/// name, and <c>*.result.json</c> files — is copied into the database in one transaction, then the
/// old files are deleted. A crash between the two imports them again at the next start: one more
/// PUT of each, which E2 allows. Kept until no supported version writes segments.
/// </summary>
internal static class LegacyOutboxImport
{
    private const string SegmentExtension = ".segment";
    private const string AcksExtension = ".acks";
    private const string FileExtension = ".result.json";

    /// <summary>No depth limit of its own: whatever the old outbox stored reads back (docs/protocol.md §10).</summary>
    private static readonly JsonReaderOptions AnyDepth = new() { MaxDepth = int.MaxValue };

    public static void Import(string directory, string quarantine, SqliteConnection connection, ILogger logger)
    {
        var segments = Directory.GetFiles(directory, "*" + SegmentExtension);
        var files = Directory.GetFiles(directory, "*" + FileExtension);
        if (segments.Length == 0 && files.Length == 0)
        {
            return;
        }

        var imported = 0;
        using (var transaction = connection.BeginTransaction())
        {
            foreach (var segment in segments)
            {
                imported += ImportSegment(connection, segment, quarantine, logger);
            }

            foreach (var file in files)
            {
                imported += ImportFile(connection, file, quarantine, logger);
            }

            transaction.Commit();
        }

        foreach (var path in segments.Concat(segments.Select(s => s + AcksExtension)).Concat(files))
        {
            OutboxFiles.TryDelete(path);
        }

        OutboxLog.Imported(logger, imported, directory);
    }

    private static int ImportSegment(SqliteConnection connection, string path, string quarantine, ILogger logger)
    {
        var bytes = File.ReadAllBytes(path);
        var acks = File.Exists(path + AcksExtension) ? WholeLines(File.ReadAllBytes(path + AcksExtension)) : [];
        var imported = 0;
        var corrupt = false;
        var start = 0;
        for (int end; (end = Array.IndexOf(bytes, (byte)'\n', start)) >= 0; start = end + 1)
        {
            if (acks.Contains(start.ToString(CultureInfo.InvariantCulture)))
            {
                continue;
            }

            // A whole line that is not a record is corrupt, never torn (docs/adr/0032).
            if (Record(bytes.AsSpan(start, end - start)) is not ({ } operationId, var created, var resultStart, var resultEnd))
            {
                OutboxLog.Quarantined(logger, $"{Path.GetFileName(path)}@{start.ToString(CultureInfo.InvariantCulture)}", "UnexpectedLayout", Path.Combine(quarantine, Path.GetFileName(path)));
                corrupt = true;
                continue;
            }

            Insert(connection, operationId, created, bytes.AsSpan(start + resultStart, resultEnd - resultStart).ToArray());
            imported++;
        }

        if (start < bytes.Length)
        {
            // No line feed: a write whose sync never completed, so it was never reported stored.
            OutboxLog.TornTail(logger, path, bytes.Length - start);
        }

        if (corrupt)
        {
            QuarantineCopy(path, quarantine);
        }

        return imported;
    }

    /// <summary>
    /// A large result of its own, <c>{"operation_id":"…","result":{…}}</c>, created at the ticks its name
    /// starts with: its head is parsed, and its result streamed from the file into the row.
    /// </summary>
    private static int ImportFile(SqliteConnection connection, string path, string quarantine, ILogger logger)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        var head = new byte[(int)Math.Min(file.Length, 64 * 1024)];
        file.ReadExactly(head);
        var tail = new byte[2];
        file.Position = Math.Max(0, file.Length - 2);
        file.ReadExactly(tail.AsSpan(0, (int)Math.Min(2, file.Length)));
        var name = Path.GetFileName(path);
        if (!long.TryParse(name.AsSpan(0, Math.Min(20, name.Length)), NumberStyles.None, CultureInfo.InvariantCulture, out var created)
            || Head(head, head.Length == file.Length) is not ({ } operationId, var resultStart)
            || tail is not [(byte)'}', (byte)'}'] || file.Length - 1 - resultStart < 2)
        {
            QuarantineCopy(path, quarantine);
            OutboxLog.Quarantined(logger, name, "UnexpectedLayout", Path.Combine(quarantine, name));
            return 0;
        }

        var length = file.Length - 1 - resultStart;
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO results(operation_id, created, result) VALUES ($operation, $created, zeroblob($length)) RETURNING id";
        command.Parameters.AddWithValue("$operation", operationId);
        command.Parameters.AddWithValue("$created", created);
        command.Parameters.AddWithValue("$length", length);
        using var blob = new SqliteBlob(connection, "results", "result", (long)command.ExecuteScalar()!);
        file.Position = resultStart;
        var buffer = new byte[64 * 1024];
        for (var remaining = length; remaining > 0;)
        {
            var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            blob.Write(buffer, 0, read);
            remaining -= read;
        }

        return 1;
    }

    /// <summary><c>{"operation_id":"…","result":{</c>: the id and the offset of the result's brace, or nothing.</summary>
    private static (string? OperationId, long Start) Head(byte[] head, bool isWholeFile)
    {
        try
        {
            var reader = new Utf8JsonReader(head, isWholeFile, new JsonReaderState(AnyDepth));
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject
                && reader.Read() && reader.ValueTextEquals("operation_id"u8) && reader.Read() && reader.TokenType == JsonTokenType.String
                && reader.GetString() is { } operationId
                && reader.Read() && reader.ValueTextEquals("result"u8) && reader.Read() && reader.TokenType == JsonTokenType.StartObject
                    ? (operationId, reader.TokenStartIndex)
                    : default;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static void QuarantineCopy(string path, string quarantine)
    {
        OutboxFiles.CreateOwnerOnlyDirectory(quarantine);
        var target = Path.Combine(quarantine, Path.GetFileName(path));
        File.Copy(path, File.Exists(target) ? $"{target}.{Guid.NewGuid():N}" : target);
    }

    /// <summary><c>{"operation_id":"…",["created":ticks,]"result":{…}}</c> exactly: the id, the ticks (0 when absent) and where the result is.</summary>
    private static (string? OperationId, long Created, int Start, int End) Record(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(AnyDepth));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !reader.Read() || !reader.ValueTextEquals("operation_id"u8) || !reader.Read() || reader.TokenType != JsonTokenType.String)
            {
                return default;
            }

            var operationId = reader.GetString();
            long created = 0;
            if (reader.Read() && reader.ValueTextEquals("created"u8))
            {
                if (!reader.Read() || !reader.TryGetInt64(out created) || created < 0 || created > DateTimeOffset.MaxValue.UtcTicks || !reader.Read())
                {
                    return default;
                }
            }

            if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("result"u8) || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var end = (int)reader.BytesConsumed;
            return reader.Read() && reader.TokenType == JsonTokenType.EndObject && reader.BytesConsumed == line.Length && !reader.Read()
                ? (operationId, created, start, end)
                : default;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>The whole lines of an acks file: a partial last line (an append cut by a crash) names nothing.</summary>
    private static HashSet<string> WholeLines(byte[] bytes)
    {
        var end = Array.LastIndexOf(bytes, (byte)'\n');
        return [.. System.Text.Encoding.ASCII.GetString(bytes, 0, end + 1).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static void Insert(SqliteConnection connection, string operationId, long created, byte[] result)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO results(operation_id, created, result) VALUES ($operation, $created, $result)";
        command.Parameters.AddWithValue("$operation", operationId);
        command.Parameters.AddWithValue("$created", created);
        command.Parameters.AddWithValue("$result", result);
        command.ExecuteNonQuery();
    }
}
