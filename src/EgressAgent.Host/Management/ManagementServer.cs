using System.Net.Sockets;
using EgressAgent.Application.Configuration;
using EgressAgent.Application.Pipeline;
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
/// </summary>
internal sealed partial class ManagementServer(
    IOptions<ManagementOptions> options,
    InstanceId instanceId,
    LivenessCheck liveness,
    StorageReadiness storage,
    OrchestratorReadiness orchestrator,
    ShutdownReadiness shutdown,
    ILoggerFactory loggerFactory,
    ILogger<ManagementServer> logger) : IAsyncDisposable, IDisposable
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>Label sets kept per metric; more would go to the SDK's overflow series.</summary>
    internal const int MaxSeriesPerMetric = 100;

    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var urls = ManagementUrls.Split(options.Value.Urls);
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
        LogListening(logger, string.Join(", ", bound));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    /// <summary>A container disposed synchronously (the host that never ran, after exit 2) disposes it this way.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

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
        builder.Logging.ClearProviders().AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, ManagementLifetime>();
        builder.Services.AddRouting();
        builder.Services.AddHealthChecks()
            .AddCheck("loops", liveness, tags: [LiveTag])
            .AddCheck("storage", storage, tags: [ReadyTag])
            .AddCheck("orchestrator", orchestrator, tags: [ReadyTag])
            .AddCheck("shutdown", shutdown, tags: [ReadyTag]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("egress-agent", serviceInstanceId: instanceId.ToString()))
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
}
