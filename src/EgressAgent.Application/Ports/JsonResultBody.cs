using System.Text.Json;
using System.Text.Json.Nodes;

namespace EgressAgent.Application.Ports;

/// <summary>A result body held in memory: for small results and for stores that keep results in memory (tests).</summary>
public sealed class JsonResultBody : IResultBody
{
    private readonly byte[] _utf8;

    /// <summary>Serialises <paramref name="result"/> now: later changes to it do not change the body.</summary>
    public JsonResultBody(JsonObject result) =>
        _utf8 = JsonSerializer.SerializeToUtf8Bytes(result ?? throw new ArgumentNullException(nameof(result)));

    public long Length => _utf8.Length;

    public Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.WriteAsync(_utf8, cancellationToken).AsTask();
    }
}
