using System.Net;
using System.Net.Http.Headers;
using EgressAgent.Infrastructure.Tests.Support;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>
/// An answer whose headers are in and whose body the test writes while the agent reads it:
/// bytes can stop coming at any point (a stalled server or proxy), and the declared length can
/// say anything.
/// </summary>
internal sealed class StreamingAnswer
{
    public StreamingAnswer(HttpStatusCode status = HttpStatusCode.OK, long? declaredLength = null)
    {
        Body = new ServerStream(() => { });
        var content = new StreamContent(Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (declaredLength is { } length)
        {
            content.Headers.ContentLength = length;
        }

        Response = new HttpResponseMessage(status) { Content = content };
    }

    public ServerStream Body { get; }

    public HttpResponseMessage Response { get; }

    /// <summary>Writes <paramref name="count"/> bytes of filler in chunks, then ends the body.</summary>
    public StreamingAnswer WithFiller(long count, bool complete = true)
    {
        const int Chunk = 1024 * 1024;
        for (long sent = 0; sent < count; sent += Chunk)
        {
            var bytes = new byte[(int)Math.Min(Chunk, count - sent)];
            bytes.AsSpan().Fill((byte)'x');
            Body.Send(bytes);
        }

        if (complete)
        {
            Body.Complete();
        }

        return this;
    }
}
