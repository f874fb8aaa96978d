using System.Net.Sockets;
using EgressAgent.Application.Health;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace EgressAgent.Host.Management;

/// <summary>
/// Kestrel serving <c>/livez</c>, <c>/readyz</c> and <c>/metrics</c> on
/// <c>EgressAgent:Management:Urls</c> (docs/protocol.md §11, docs/adr/0024): a small web application of
/// its own, whose container holds only the endpoints and the exporter; the checks read the
/// agent's singletons. <c>run</c> starts it before the agent's host, so it listens — or the
/// agent exits 2 — before anything contacts the orchestrator; it stops when the host's container
/// is disposed, after the shutdown sequence, so <c>/readyz</c> answers 503 through the whole drain.
/// That stop is bounded by the shutdown budget, whatever the clients do (a scraper that never
/// reads, a probe that never finishes its headers): Kestrel gets a short grace, then its
/// connections are aborted, and if even that does not return the process exits without it — never
/// later than <c>Shutdown:Budget</c> + 2 s after the shutdown began (docs/protocol.md §7, docs/reliability.md).
/// </summary>
internal sealed partial class ManagementServer : IAsyncDisposable, IDisposable
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>Label sets kept per metric; more would go to the SDK's overflow series.</summary>
    internal const int MaxSeriesPerMetric = 100;

    /// <summary>The contract's allowance past the budget for the process to be gone (docs/protocol.md §7).</summary>
    internal static readonly TimeSpan ExitAllowance = TimeSpan.FromSeconds(2);

    /// <summary>Kept from that allowance for what runs after this server stops: the rest of the disposal and the exit.</summary>
    internal static readonly TimeSpan ExitMargin = TimeSpan.FromMilliseconds(300);

    /// <summary>At most this long for requests in flight to finish: <c>/readyz</c> has said 503 since the shutdown began.</summary>
    internal static readonly TimeSpan MaxGrace = TimeSpan.FromSeconds(1);

    /// <summary>Kept after the grace for Kestrel to abort its connections before the server is left to the exit.</summary>
    internal static readonly TimeSpan AbortAllowance = TimeSpan.FromMilliseconds(500);

    private readonly IOptions<ManagementOptions> _options;
    private readonly InstanceId _instanceId;
    private readonly LivenessCheck _liveness;
    private readonly StorageReadiness _storage;
    private readonly OrchestratorReadiness _orchestrator;
    private readonly ShutdownReadiness _shutdown;
    private readonly TimeSpan _budget;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<ManagementServer> _logger;
    private const long NoStopYet = long.MinValue;

    private readonly CancellationTokenRegistration[] _stopWatch;
    private long _stopBegan = NoStopYet;
    private WebApplication? _app;

    public ManagementServer(
        IOptions<ManagementOptions> options,
        InstanceId instanceId,
        LivenessCheck liveness,
        StorageReadiness storage,
        OrchestratorReadiness orchestrator,
        ShutdownReadiness shutdown,
        IShutdownCoordinator coordinator,
        IHostApplicationLifetime lifetime,
        IOptions<ShutdownOptions> shutdownOptions,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        ILogger<ManagementServer> logger)
    {
        _options = options;
        _instanceId = instanceId;
        _liveness = liveness;
        _storage = storage;
        _orchestrator = orchestrator;
        _shutdown = shutdown;
        _budget = shutdownOptions.Value.Budget;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = logger;
        // The budget counts from the first of: the shutdown sequence began (a signal, E4's
        // triggers), the host began to stop (a loop that died).
        _stopWatch = [coordinator.Stopping.Register(StopBegan), lifetime.ApplicationStopping.Register(StopBegan)];
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var urls = ManagementUrls.Split(_options.Value.Urls);
        var app = Build(urls);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException or FormatException)
        {
            await app.DisposeAsync();
            throw new ManagementBindException(
                $"EgressAgent:Management:Urls: cannot listen on {string.Join(";", urls)} ({ex.GetBaseException().Message})", ex);
        }

        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        LogListening(_logger, string.Join(", ", bound));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var registration in _stopWatch)
        {
            await registration.DisposeAsync();
        }

        if (Interlocked.Exchange(ref _app, null) is not { } app)
        {
            return;
        }

        // What is left of budget + 2 s, less the margin for the exit; from now if no stop was seen.
        StopBegan();
        var left = _budget + ExitAllowance - ExitMargin - _timeProvider.GetElapsedTime(Volatile.Read(ref _stopBegan));
        left = left > TimeSpan.Zero ? left : TimeSpan.Zero;
        var grace = left - AbortAllowance;
        grace = grace <= TimeSpan.Zero ? TimeSpan.Zero : grace < MaxGrace ? grace : MaxGrace;
        var graceOver = new CancellationTokenSource(grace, _timeProvider);
        var stopping = StopAsync(app, graceOver.Token);
        try
        {
            await stopping.WaitAsync(left, _timeProvider);
            graceOver.Dispose();
        }
        catch (TimeoutException)
        {
            // Left to the process exit, which closes its sockets (the grace's source too: Kestrel may
            // still hold its token). Whatever the stop throws later is observed here.
            _ = stopping.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            LogStopAbandoned(_logger, left);
        }
    }

    /// <summary>A container disposed synchronously (the host that never ran, after exit 2) disposes it this way.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Kestrel's own stop: requests in flight until <paramref name="grace"/>, then every connection aborted.</summary>
    private static async Task StopAsync(WebApplication app, CancellationToken grace)
    {
        try
        {
            await app.StopAsync(grace);
        }
        catch (OperationCanceledException)
        {
            // The grace ran out: disposing aborts what is left.
        }

        await app.DisposeAsync();
    }

    private void StopBegan() => Interlocked.CompareExchange(ref _stopBegan, _timeProvider.GetTimestamp(), NoStopYet);

    private WebApplication Build(IReadOnlyList<string> urls)
    {
        // The empty builder reads no configuration of its own: nothing but these settings applies.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ManagementServer).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseKestrelCore().UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // The agent's own logging, less what would only repeat it: a failing probe is an error
        // log per probe of the health check service, and a failed bind is the agent's exit 2.
        builder.Logging.ClearProviders().AddProvider(new ForwardingLoggerProvider(_loggerFactory));
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, ManagementLifetime>();
        builder.Services.AddRouting();
        builder.Services.AddHealthChecks()
            .AddCheck("loops", _liveness, tags: [LiveTag])
            .AddCheck("storage", _storage, tags: [ReadyTag])
            .AddCheck("orchestrator", _orchestrator, tags: [ReadyTag])
            .AddCheck("shutdown", _shutdown, tags: [ReadyTag]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("egress-agent", serviceInstanceId: _instanceId.ToString()))
            .WithMetrics(metrics => metrics
            .AddMeter(AgentCounters.MeterName)
            .AddRuntimeInstrumentation()
            .AddProcessInstrumentation()
            // The SDK allocates every stream's points up front, 2,000 by default: ≈ 200 KB for
            // each of ≈ 40 instruments, resident from the first scrape. The agent's label sets
            // are few (the largest, by outcome or generation, has under ten), so 100 points per
            // stream leave room and give ≈ 3 MiB back (docs/adr/0033).
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MaxSeriesPerMetric })
            // Every scrape sees the numbers of that moment; a scraper's interval is the only cache.
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        var app = builder.Build();
        app.MapHealthChecks("/livez", Probe(LiveTag));
        app.MapHealthChecks("/readyz", Probe(ReadyTag));
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static HealthCheckOptions Probe(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = HealthResponseWriter.WriteAsync,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Management endpoints (/livez, /readyz, /metrics) listening on {Addresses}")]
    private static partial void LogListening(ILogger logger, string addresses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The management endpoint did not stop within {Left} (what remained of the shutdown budget + 2 s); its connections are left to the process exit")]
    private static partial void LogStopAbandoned(ILogger logger, TimeSpan left);
}
