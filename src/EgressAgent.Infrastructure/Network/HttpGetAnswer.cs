using System.Text;

namespace EgressAgent.Infrastructure.Network;

/// <summary>The last answer of a guarded GET: its status, reason phrase and up to the asked number of body bytes.</summary>
internal sealed record HttpGetAnswer(int StatusCode, string ReasonPhrase, ReadOnlyMemory<byte> Body, bool BodyCut)
{
    /// <summary>The body as UTF-8 text; invalid bytes become U+FFFD, and a character the cap cut in two is left out.</summary>
    public string BodyText()
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(Body.Length)];
        // flush: false keeps an incomplete last sequence back rather than turning it into U+FFFD.
        var count = decoder.GetChars(Body.Span, chars, flush: !BodyCut);
        return new string(chars, 0, count);
    }
}
