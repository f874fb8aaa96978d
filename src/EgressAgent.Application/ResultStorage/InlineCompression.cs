using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// docs/protocol.md §13 "Inline compression": the result object gzipped and published as
/// <c>{"__type__": "bytes", "__data__": "&lt;base64&gt;"}</c>. The compressed bytes are built in memory
/// for the attempt, so they are capped like one value (<see cref="ResourceLimits.MaxValueBytes"/>
/// once in base64); a result that does not shrink below it ends in <c>ResourceExhausted</c>.
/// </summary>
internal static class InlineCompression
{
    /// <summary>Base64 makes four bytes of three: this many compressed bytes stay within the value cap.</summary>
    private const long MaxCompressedBytes = ResourceLimits.MaxValueBytes / 4 * 3;

    public static async Task<IResultBody> CompressAsync(IResultBody body, string traceId, CancellationToken cancellationToken)
    {
        var compressed = new ArrayBufferWriter<byte>();
        try
        {
            await using (var gzip = new GZipStream(new CappedBufferStream(compressed, MaxCompressedBytes), CompressionLevel.Optimal))
            {
                await body.CopyToAsync(gzip, cancellationToken);
            }
        }
        catch (OperationFailedException ex)
        {
            return new JsonResultBody(OperationResult.Failure(ex.Message, ex.Kind, traceId).ToJson());
        }

        var json = new ArrayBufferWriter<byte>(compressed.WrittenCount / 3 * 4 + 64);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("__type__", "bytes");
            writer.WriteBase64String("__data__", compressed.WrittenSpan);
            writer.WriteEndObject();
        }

        return new JsonResultBody(json.WrittenSpan.ToArray());
    }
}
