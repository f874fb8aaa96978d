using System.Text.Json;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// A result stored in a file of its own, <c>{"operation_id":"…","result":{…}}</c> (docs/adr/0004): read
/// up to where the result starts; the result itself stays on disk and is streamed from the file
/// each time it is sent (docs/adr/0009).
/// </summary>
internal static class ResultFile
{
    /// <summary>How far into a file its operation id and the start of its result must be.</summary>
    private const int MaxHeadBytes = 64 * 1024;

    /// <summary>The entry, or null when its layout is not the one the outbox writes.</summary>
    public static async Task<StoredResult?> ReadAsync(string path, CancellationToken cancellationToken)
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
        if (ReadHead(head, isWholeFile: head.Length == length) is not ({ } operationId, var resultStart, var delivery)
            || tail is not [(byte)'}', (byte)'}']
            || length - 1 - resultStart < 2)
        {
            return null;
        }

        return new StoredResult(operationId, new FileResultBody(path, resultStart, length - 1 - resultStart)) { Delivery = delivery };
    }

    /// <summary>
    /// <c>{"operation_id":"…",["delivery":{…},]"result":{</c>: the id, the offset of the result's
    /// opening brace and how it is delivered; null when the file does not start that way.
    /// </summary>
    private static (string OperationId, long ResultStart, ResultDelivery? Delivery)? ReadHead(byte[] head, bool isWholeFile)
    {
        var reader = new Utf8JsonReader(head, isWholeFile, default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
            || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("operation_id"u8)
            || !reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        var operationId = reader.GetString()!;
        return reader.Read() && reader.TokenType == JsonTokenType.PropertyName
            && StoredDelivery.TryRead(ref reader, out var delivery) && reader.ValueTextEquals("result"u8)
            && reader.Read() && reader.TokenType == JsonTokenType.StartObject
                ? (operationId, reader.TokenStartIndex, delivery)
                : null;
    }
}
