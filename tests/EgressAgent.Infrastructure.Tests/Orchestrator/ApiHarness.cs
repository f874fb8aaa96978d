using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Health;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Domain;
using EgressAgent.Domain.Capacity;
using EgressAgent.Infrastructure.Tests.Support;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Moq;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>
/// The real composition of AddInfrastructure (Refit client, header handler, stream client) with
/// only the socket replaced: the primary handler of every named client is a <see cref="RecordingHandler"/>.
/// </summary>
internal sealed class ApiHarness : IAsyncDisposable
{
    public const string TokenId = "key-id-1";
    public const string TokenSecret = "s3cr3t-token-value";

    private readonly ServiceProvider _services;

    public ApiHarness(string baseUrl = "https://orchestrator.test/prefix", Action<OrchestratorOptions>? configure = null, Action<EndpointTimeoutOptions>? timeouts = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.Extensions.Logging.ILogger<EgressAgent.Infrastructure.Orchestrator.OrchestratorApiAdapter>>(AdapterLog);
        services.AddSingleton<TimeProvider>(Time);
        services.AddOptions<OrchestratorOptions>().Configure(options =>
        {
            options.BaseUrl = baseUrl;
            options.TokenId = TokenId;
            options.TokenSecret = TokenSecret;
            configure?.Invoke(options);
        });
        services.AddOptions<EndpointTimeoutOptions>().Configure(options => timeouts?.Invoke(options));
        services.AddSingleton(InstanceId);
        services.AddSingleton<RequestActivity>();
        services.AddSingleton<CredentialRejections>();
        services.AddSingleton<AgentCounters>();
        // The health and metrics executors read the pipeline's live state.
        services.AddSingleton(new InFlightCounter(1));
        services.AddSingleton(Mock.Of<IShutdownCoordinator>());
        services.AddSingleton(Mock.Of<IStorageHealth>());
        services.AddInfrastructure();
        services.ConfigureAll<HttpClientFactoryOptions>(options =>
            options.HttpMessageHandlerBuilderActions.Add(builder => builder.PrimaryHandler = Handler));
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public InstanceId InstanceId { get; } = InstanceId.New();

    /// <summary>What the orchestrator adapter logged.</summary>
    public RecordingLogger<EgressAgent.Infrastructure.Orchestrator.OrchestratorApiAdapter> AdapterLog { get; } = new();

    public ObservedTimeProvider Time { get; } = new();

    public RecordingHandler Handler { get; } = new();

    public IOrchestratorApi Api => _services.GetRequiredService<IOrchestratorApi>();

    public IOrchestratorEventStream EventStream => _services.GetRequiredService<IOrchestratorEventStream>();

    public RequestActivity Activity => _services.GetRequiredService<RequestActivity>();

    public CredentialRejections Rejections => _services.GetRequiredService<CredentialRejections>();

    public CapturedRequest SingleRequest => Assert.Single(Handler.Requests);

    /// <summary>The stream's named client, header handler included: for requests the adapter would never build.</summary>
    public HttpClient StreamClient() =>
        _services.GetRequiredService<IHttpClientFactory>().CreateClient(EgressAgent.Infrastructure.Stream.SseOrchestratorEventStream.HttpClientName);

    /// <summary>Opens the event stream until its first request reaches the wire, then stops it.</summary>
    public async Task<CapturedRequest> FirstStreamRequestAsync()
    {
        var before = Handler.Requests.Count;
        using var stop = new CancellationTokenSource();
        var enumerator = EventStream.ReadAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        try
        {
            var reading = enumerator.MoveNextAsync().AsTask();
            await Handler.Changed.WaitUntilAsync(() => Handler.Requests.Count > before, "the stream request");
            await stop.CancelAsync();
            Assert.False(await reading.WaitAsync(Pulse.DefaultTimeout), "a stopped stream ends without a message");
        }
        finally
        {
            await enumerator.DisposeAsync();
        }

        return Handler.Requests[before];
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Handler.Dispose();
    }
}
