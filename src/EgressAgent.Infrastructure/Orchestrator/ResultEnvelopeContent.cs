using System.Net;
using System.Net.Http.Headers;
using EgressAgent.Application.Results;

namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// The E2 body <c>{"result": …}</c>, written around the stored result's bytes as they stream
/// from the store, with a known length: nothing holds the whole body (docs/adr/0009). One
/// instance per attempt, as request content is sent once; the attempt's token (its deadline)
/// also bounds the overload of <see cref="HttpContent"/> that takes no token.
/// </summary>
internal sealed class ResultEnvelopeContent : HttpContent
{
    private static readonly byte[] Prefix = """{"result":"""u8.ToArray();
    private static readonly byte[] Suffix = "}"u8.ToArray();
    private readonly IResultBody _result;
    private readonly CancellationToken _attemptToken;

    public ResultEnvelopeContent(IResultBody result, CancellationToken attemptToken)
    {
        _result = result;
        _attemptToken = attemptToken;
        Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
    }

    protected override Task SerializeToStreamAsync(System.IO.Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, _attemptToken);

    protected override async Task SerializeToStreamAsync(System.IO.Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Prefix, cancellationToken);
        await _result.CopyToAsync(stream, cancellationToken);
        await stream.WriteAsync(Suffix, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = Prefix.Length + _result.Length + Suffix.Length;
        return true;
    }
}
