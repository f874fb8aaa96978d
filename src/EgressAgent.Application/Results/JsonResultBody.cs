using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EgressAgent.Application.Results;

/// <summary>A result body held in memory: for small results and for stores that keep results in memory (tests).</summary>
public sealed class JsonResultBody : IResultBody
{
    private readonly byte[] _utf8;

    /// <summary>Serialises <paramref name="result"/> now: later changes to it do not change the body.</summary>
    public JsonResultBody(JsonObject result)
    {
        ArgumentNullException.ThrowIfNull(result);

        // The node writes itself: no serializer metadata, so nothing a native build could lack.
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            result.WriteTo(writer);
        }

        _utf8 = buffer.WrittenSpan.ToArray();
    }

    /// <summary>A body already written as UTF-8 JSON; the array is the body's from now on.</summary>
    internal JsonResultBody(byte[] utf8) => _utf8 = utf8;

    public long Length => _utf8.Length;

    public Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.WriteAsync(_utf8, cancellationToken).AsTask();
    }
}
