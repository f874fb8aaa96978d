namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>Per-endpoint timeouts of contract §3: no call may hang forever.</summary>
internal static class EndpointTimeouts
{
    public static readonly TimeSpan FetchOperation = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan PublishResult = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan NotifyShutdown = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan DownloadOperation = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Ping = TimeSpan.FromSeconds(10);
    public const int DownloadAttempts = 3;
}
