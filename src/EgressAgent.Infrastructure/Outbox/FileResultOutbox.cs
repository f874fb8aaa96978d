using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Configuration;
using EgressAgent.Application.Ports;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// One file per result under <c>{DataDirectory}/outbox</c>, written to a temporary name,
/// fsynced, then renamed: a reader sees a whole result or none, and a kill -9 after
/// <see cref="AddAsync"/> returned loses nothing (docs/adr/0004). A write that fails leaves no
/// file behind and recreates missing directories on the next try (docs/adr/0014); files are
/// <c>0600</c>, and corrupt entries move to <c>{DataDirectory}/quarantine</c> (docs/adr/0015).
/// </summary>
internal sealed partial class FileResultOutbox : IResultOutbox
{
    private const string Extension = ".result.json";
    private const string TemporaryExtension = ".tmp";

    /// <summary>How far into a file its operation id and the start of its result must be.</summary>
    private const int MaxHeadBytes = 64 * 1024;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _directory;
    private readonly string _quarantine;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<FileResultOutbox> _logger;
    private readonly GroupDirectorySync _directorySync;
    private int _pending;

    public FileResultOutbox(IOptions<StorageOptions> options, TimeProvider timeProvider, ILogger<FileResultOutbox> logger)
    {
        _directory = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "outbox");
        _quarantine = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "quarantine");
        _timeProvider = timeProvider;
        _logger = logger;
        _directorySync = new GroupDirectorySync(_directory);
        PrivateDirectory.Create(_directory);
        foreach (var leftover in Directory.EnumerateFiles(_directory, "*" + TemporaryExtension))
        {
            // A crash between write and rename: the worker never saw AddAsync return, so this
            // result was not acknowledged as stored. Removing it loses nothing that was promised.
            File.Delete(leftover);
        }

        _pending = ListPending().Count; // the same files the publisher will see, so the count can reach zero
        if (_pending > 0)
        {
            LogBacklog(_logger, _pending, _directory);
        }
    }

    public int PendingCount => Volatile.Read(ref _pending);

    /// <summary>
    /// Wraps the stream a result is written through; identity in production. Tests put a fault
    /// (a full disk at a chosen byte) between the writer and the file. The wrapper must not buffer.
    /// </summary>
    internal Func<System.IO.Stream, System.IO.Stream> WrapStream { get; set; } = static stream => stream;

    public Task<OutboxEntry> AddAsync(string operationId, JsonObject result, CancellationToken cancellationToken) =>
        AddAsync(operationId, writer => result.WriteTo(writer), cancellationToken);

    public Task<OutboxEntry> AddAsync(string operationId, OperationResult result, CancellationToken cancellationToken) =>
        AddAsync(operationId, writer => result.WriteTo(writer), cancellationToken);

    private async Task<OutboxEntry> AddAsync(string operationId, Action<Utf8JsonWriter> writeResult, CancellationToken cancellationToken)
    {
        var createdAt = _timeProvider.GetUtcNow();
        var key = $"{createdAt.UtcTicks.ToString("D20", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}";
        var path = PathOf(key);
        var temporary = path + TemporaryExtension;
        try
        {
            await WriteAsync(temporary, operationId, writeResult, cancellationToken);

            // Atomic, and the last step that can fail: a caller that sees an exception may store
            // the result again without a first copy under its own name being published too.
            File.Move(temporary, path);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        // One directory fsync for every rename that finished while the previous one ran
        // (docs/adr/0029): AddAsync still returns only once the file and its name are durable.
        await _directorySync.FlushAsync();
        Interlocked.Increment(ref _pending);
        return new OutboxEntry(key, createdAt);
    }

    private async Task WriteAsync(string temporary, string operationId, Action<Utf8JsonWriter> writeResult, CancellationToken cancellationToken)
    {
        var file = CreateTemporary(temporary);
        await using (file)
        {
            // Written straight to the file, not through a copy of the result: a large result's
            // rows flush to the file as they are written (docs/adr/0009).
            await using (var writer = new Utf8JsonWriter(WrapStream(file)))
            {
                writer.WriteStartObject();
                writer.WriteString("operation_id", operationId);
                writer.WritePropertyName("result");
                writeResult(writer);
                writer.WriteEndObject();
                await writer.FlushAsync(cancellationToken);
            }

            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>
    /// The temporary file, recreating the data and outbox directories when they are missing: they
    /// may have been removed, or replaced by a file that is gone again, since the last write
    /// (docs/protocol.md §10, docs/adr/0014). Checked by the create itself, so a healthy write
    /// costs no extra system call (docs/performance.md).
    /// </summary>
    private FileStream CreateTemporary(string temporary)
    {
        try
        {
            return new FileStream(temporary, NewFileOptions());
        }
        catch (DirectoryNotFoundException)
        {
            // A file in their place fails here, as it should, until an operator removes it.
            CreateOwnerOnlyDirectory(_directory);
            return new FileStream(temporary, NewFileOptions());
        }
    }

    /// <summary>Created new (never over another file), and readable by the agent's user only (docs/protocol.md §10 "Files").</summary>
    private static FileStreamOptions NewFileOptions()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            // Unbuffered: the JSON writer already buffers, and flushes large results in 64 KiB
            // chunks (docs/adr/0009); a FileStream buffer would be a second copy and a 16 KiB
            // allocation per result (docs/performance.md).
            BufferSize = 0,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        return options;
    }

    /// <summary>A directory under the data directory, and the data directory itself when it is gone too (0700 each).</summary>
    private static void CreateOwnerOnlyDirectory(string path)
    {
        // The mode applies only to the last directory of a path; the parent gets it explicitly.
        PrivateDirectory.Create(Path.GetDirectoryName(path)!);
        PrivateDirectory.Create(path);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The directory is gone or read-only: then so is the file, or it stays a .tmp that
            // the next start deletes. Either way it is never listed as a result.
        }
    }

    public IReadOnlyList<OutboxEntry> ListPending()
    {
        var entries = new List<OutboxEntry>();
        try
        {
            foreach (var path in Directory.EnumerateFiles(_directory, "*" + Extension))
            {
                // A name not of the outbox's making is left alone: listed, loaded or moved, never.
                var key = Path.GetFileName(path)[..^Extension.Length];
                if (key.Length > 20 && long.TryParse(key.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                {
                    entries.Add(new OutboxEntry(key, new DateTimeOffset(ticks, TimeSpan.Zero)));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The directory was removed or replaced by a file: nothing in it can be delivered now.
            // The next store recreates it (docs/adr/0014).
            LogCannotList(_logger, _directory, ex.GetType().Name, ex.Message);
            return [];
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return entries;
    }

    /// <summary>
    /// Reads only the head of the file, up to where the result starts: the result itself stays on
    /// disk and is streamed from the file each time it is sent (docs/adr/0004, docs/adr/0009).
    /// </summary>
    public async Task<StoredResult?> LoadAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var path = PathOf(entry.Key);
        string problem;
        try
        {
            if (await ReadAsync(path, cancellationToken) is { } stored)
            {
                return stored;
            }

            problem = "UnexpectedLayout";
        }
        catch (FileNotFoundException)
        {
            LogUnreadable(_logger, entry.Key, nameof(FileNotFoundException));
            return null;
        }
        catch (Exception ex) when (ex is JsonException or EndOfStreamException)
        {
            problem = ex.GetType().Name;
        }

        Quarantine(entry.Key, path, problem);
        return null;
    }

    /// <summary>The entry, or null when its layout is not the one the outbox writes.</summary>
    private static async Task<StoredResult?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
        var length = file.Length;
        var head = new byte[(int)Math.Min(length, MaxHeadBytes)];
        await file.ReadExactlyAsync(head, cancellationToken);
        var tail = new byte[2];
        if (length >= tail.Length)
        {
            file.Position = length - tail.Length;
            await file.ReadExactlyAsync(tail, cancellationToken);
        }

        // The writer puts the result last and writes nothing after it, so the result is
        // everything from its first byte up to the document's closing brace.
        if (ReadHead(head, isWholeFile: head.Length == length) is not ({ } operationId, var resultStart)
            || tail is not [(byte)'}', (byte)'}']
            || length - 1 - resultStart < 2)
        {
            return null;
        }

        return new StoredResult(operationId, new FileResultBody(path, resultStart, length - 1 - resultStart));
    }

    /// <summary>
    /// Moves a corrupt entry out of the outbox, keeping it for a human to look at (docs/protocol.md §10).
    /// Throws when it cannot: the entry then stays where it is, never deleted unread.
    /// </summary>
    private void Quarantine(string key, string path, string problem)
    {
        CreateOwnerOnlyDirectory(_quarantine);
        var target = Path.Combine(_quarantine, Path.GetFileName(path));
        if (File.Exists(target))
        {
            target += $".{Guid.NewGuid():N}";
        }

        File.Move(path, target);
        Interlocked.Decrement(ref _pending);
        LogQuarantined(_logger, key, problem, target);
    }

    /// <summary>
    /// <c>{"operation_id":"…","result":{</c>: the id, and the offset of the result's opening
    /// brace; null when the file does not start that way.
    /// </summary>
    private static (string OperationId, long ResultStart)? ReadHead(byte[] head, bool isWholeFile)
    {
        var reader = new Utf8JsonReader(head, isWholeFile, default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
            || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("operation_id"u8)
            || !reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        var operationId = reader.GetString()!;
        return reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("result"u8)
            && reader.Read() && reader.TokenType == JsonTokenType.StartObject
                ? (operationId, reader.TokenStartIndex)
                : null;
    }

    public void Remove(OutboxEntry entry)
    {
        var path = PathOf(entry.Key);
        if (File.Exists(path))
        {
            File.Delete(path);
            Interlocked.Decrement(ref _pending);
        }
    }

    private string PathOf(string key) => Path.Combine(_directory, key + Extension);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} undelivered result(s) found in {Directory}; publishing them first")]
    private static partial void LogBacklog(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox entry {Key} is unreadable ({ErrorType})")]
    private static partial void LogUnreadable(ILogger logger, string key, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox entry {Key} is corrupt ({Problem}); moved it to {File} for inspection")]
    private static partial void LogQuarantined(ILogger logger, string key, string problem, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox directory {Directory} cannot be listed ({ErrorType}: {Error})")]
    private static partial void LogCannotList(ILogger logger, string directory, string errorType, string error);
}
