using Amazon.Runtime;

namespace EgressAgent.Infrastructure.Tests.ResultStorage;

/// <summary>Gives the AWS SDK an HttpClient that records each request's method and path with query, to see what was sent.</summary>
internal sealed class RecordingHttpClientFactory : HttpClientFactory
{
    private readonly List<string> _requests = [];

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new Recorder(this) { InnerHandler = new SocketsHttpHandler() });

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    private sealed class Recorder(RecordingHttpClientFactory owner) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (owner._requests)
            {
                owner._requests.Add($"{request.Method} {request.RequestUri!.PathAndQuery}");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
