using System.Text.Json;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Results;

/// <summary>
/// What a 413 replacement needs from a stored result: its trace id, and whether it already is a
/// failure of some kind. Read from the result's end in bounded memory, whatever its size:
/// <see cref="OperationResult.WriteTo"/> writes <c>__mcd_trace_id__</c> last.
/// </summary>
internal sealed record ResultTail(string? TraceId, string? ErrorKind)
{
    internal const int Capacity = 64 * 1024;

    private static ReadOnlySpan<byte> TraceIdProperty => "\"__mcd_trace_id__\":"u8;

    public static async Task<ResultTail> ReadAsync(IResultBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        await using var tail = new TailBuffer(Capacity);
        await body.CopyToAsync(tail, cancellationToken);
        var bytes = tail.ToArray();
        try
        {
            return tail.IsWhole ? FromWhole(bytes) : FromEnd(bytes);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not the layout expected, or a value that is not valid text: the caller falls back.
            return new ResultTail(null, null);
        }
    }

    private static ResultTail FromWhole(byte[] bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        return root.ValueKind == JsonValueKind.Object
            ? new ResultTail(StringOf(root, OperationResult.TraceIdKey), StringOf(root, OperationResult.ErrorTypeKey))
            : new ResultTail(null, null);
    }

    /// <summary>
    /// The last <c>"__mcd_trace_id__":</c> is the top-level one: it is written last, and inside a
    /// JSON string a quote is always escaped, so the sequence cannot occur there.
    /// </summary>
    private static ResultTail FromEnd(byte[] bytes)
    {
        var at = bytes.AsSpan().LastIndexOf(TraceIdProperty);
        if (at < 0)
        {
            return new ResultTail(null, null);
        }

        // {"__mcd_trace_id__":"…"} : the property and the result's closing brace, as one object.
        byte[] json = [(byte)'{', .. bytes.AsSpan(at)];
        using var document = JsonDocument.Parse(json);
        return new ResultTail(StringOf(document.RootElement, OperationResult.TraceIdKey), null);
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
