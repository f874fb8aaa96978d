namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>Every client goes to one handler, which the test owns.</summary>
internal sealed class StubHttpClientFactory(HttpMessageHandler handler) : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
}
