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
/// <see cref="AddAsync"/> returned loses nothing (docs/adr/0004).
/// </summary>
internal sealed partial class FileResultOutbox : IResultOutbox
{
    private const string Extension = ".result.json";
    private const string TemporaryExtension = ".tmp";

    /// <summary>How far into a file its operation id and the start of its result must be.</summary>
    private const int MaxHeadBytes = 64 * 1024;
    private readonly string _directory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<FileResultOutbox> _logger;
    private int _pending;

    public FileResultOutbox(IOptions<AgentOptions> options, TimeProvider timeProvider, ILogger<FileResultOutbox> logger)
    {
        _directory = Path.Combine(Path.GetFullPath(options.Value.Storage.DataDirectory), "outbox");
        _timeProvider = timeProvider;
        _logger = logger;
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
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, FileOptions.Asynchronous))
        {
            // Written straight to the file, not through a copy of the result: a large result's
            // rows flush to the file as they are written (docs/adr/0009).
            await using (var writer = new Utf8JsonWriter(file))
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

        File.Move(temporary, path);
        DirectorySync.Flush(_directory);
        Interlocked.Increment(ref _pending);
        return new OutboxEntry(key, createdAt);
    }

    public IReadOnlyList<OutboxEntry> ListPending()
    {
        var entries = new List<OutboxEntry>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + Extension))
        {
            var key = Path.GetFileName(path)[..^Extension.Length];
            if (key.Length > 20 && long.TryParse(key.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                entries.Add(new OutboxEntry(key, new DateTimeOffset(ticks, TimeSpan.Zero)));
            }
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
        try
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
                LogUnreadable(_logger, entry.Key, "UnexpectedLayout");
                return null;
            }

            return new StoredResult(operationId, new FileResultBody(path, resultStart, length - 1 - resultStart));
        }
        catch (Exception ex) when (ex is FileNotFoundException or JsonException or EndOfStreamException)
        {
            LogUnreadable(_logger, entry.Key, ex.GetType().Name);
            return null;
        }
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
}
