using System.Globalization;
using System.Text;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// The head of an HTTP/1.1 message (start line and header lines), read from a socket with a size
/// bound, plus whatever bytes of the body arrived with it. Written back with
/// <c>Connection: close</c>, so each connection carries exactly one exchange.
/// </summary>
internal sealed class HttpHead
{
    private static readonly byte[] End = "\r\n\r\n"u8.ToArray();

    private HttpHead(string startLine, List<(string Name, string Value)> headers, ReadOnlyMemory<byte> leftover)
    {
        StartLine = startLine;
        Headers = headers;
        Leftover = leftover;
    }

    /// <summary><c>GET /path?query HTTP/1.1</c>, or <c>HTTP/1.1 200 OK</c>.</summary>
    public string StartLine { get; }

    public IReadOnlyList<(string Name, string Value)> Headers { get; }

    /// <summary>Body bytes that were read together with the head.</summary>
    public ReadOnlyMemory<byte> Leftover { get; }

    /// <summary>The head, or null when the peer closed before sending one.</summary>
    public static async Task<HttpHead?> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxBytes];
        var filled = 0;
        while (true)
        {
            var end = buffer.AsSpan(0, filled).IndexOf(End);
            if (end >= 0)
            {
                return Parse(Encoding.Latin1.GetString(buffer, 0, end), buffer.AsMemory(end + End.Length, filled - end - End.Length));
            }

            if (filled == buffer.Length)
            {
                throw new InvalidDataException($"An HTTP head longer than {maxBytes} bytes.");
            }

            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return null;
            }

            filled += read;
        }
    }

    public string? Header(string name) =>
        Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    /// <summary>The declared body length of a request; chunked request bodies are not carried (the agent sends known lengths).</summary>
    public long RequestBodyLength()
    {
        if (Header("Transfer-Encoding") is { } encoding && !string.Equals(encoding, "identity", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"The proxy carries request bodies of known length only, not '{encoding}'.");
        }

        return Header("Content-Length") is { } length ? long.Parse(length, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>The head as bytes, its <c>Connection</c> and <c>Keep-Alive</c> headers replaced by <c>Connection: close</c>.</summary>
    public byte[] WithConnectionClose()
    {
        var text = new StringBuilder(StartLine).Append("\r\n");
        foreach (var (name, value) in Headers)
        {
            if (!string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "Keep-Alive", StringComparison.OrdinalIgnoreCase))
            {
                text.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        text.Append("Connection: close\r\n\r\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    private static HttpHead Parse(string head, ReadOnlyMemory<byte> leftover)
    {
        var lines = head.Split("\r\n");
        var headers = new List<(string, string)>(lines.Length);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"Not a header line: '{line}'.");
            }

            headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        return new HttpHead(lines[0], headers, leftover);
    }
}
