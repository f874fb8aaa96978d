namespace EgressAgent.Application.Configuration;

/// <summary>The <c>EgressAgent</c> configuration section (docs/protocol.md §8). Defaults are the contract's.</summary>
public sealed class AgentOptions
{
    public const string SectionName = "EgressAgent";

    public OrchestratorOptions Orchestrator { get; set; } = new();
    public EventsOptions Events { get; set; } = new();
    public OperationsOptions Operations { get; set; } = new();
    public HeartbeatOptions Heartbeat { get; set; } = new();
    public ShutdownOptions Shutdown { get; set; } = new();
    public StorageOptions Storage { get; set; } = new();
    public ResultsOptions Results { get; set; } = new();
    public Dictionary<string, ConnectionOptions> Connections { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public ManagementOptions Management { get; set; } = new();
}

public sealed class OrchestratorOptions
{
    public string? BaseUrl { get; set; }
    public string? TokenId { get; set; }
    public string? TokenSecret { get; set; }
    public string? TokenFile { get; set; }
    public TimeSpan AuthFailureExitAfter { get; set; } = TimeSpan.FromMinutes(5);
    public EndpointTimeoutOptions Timeouts { get; set; } = new();
}

public sealed class EventsOptions
{
    public bool Enabled { get; set; } = true;
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class OperationsOptions
{
    public int Workers { get; set; } = 8;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

public sealed class HeartbeatOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class ShutdownOptions
{
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(25);
}

public sealed class StorageOptions
{
    public string DataDirectory { get; set; } = "data";
}

public sealed class ResultsOptions
{
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromDays(1);
}

public sealed class ConnectionOptions
{
    public string? Provider { get; set; }
    public string? ConnectionString { get; set; }
}

/// <summary>
/// <c>EgressAgent:Orchestrator:Timeouts</c>: how long one whole exchange with each endpoint may
/// take — connect, send, response headers and the whole body (docs/protocol.md §3, §10). The defaults
/// are the contract's; raising them is for slow proxies, lowering them for tests (docs/adr/0010).
/// </summary>
public sealed class EndpointTimeoutOptions
{
    /// <summary>E1.</summary>
    public TimeSpan FetchOperation { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>E2, per attempt.</summary>
    public TimeSpan PublishResult { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>E3.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>E4; the shutdown sequence caps it further with what is left of its budget.</summary>
    public TimeSpan NotifyShutdown { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>E5, per attempt.</summary>
    public TimeSpan DownloadOperation { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>E6 (<c>check</c>).</summary>
    public TimeSpan Ping { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary><c>EgressAgent:Management</c>: the probe and metrics endpoints (docs/protocol.md §11, docs/adr/0024).</summary>
public sealed class ManagementOptions
{
    /// <summary>Where <c>/livez</c>, <c>/readyz</c> and <c>/metrics</c> listen, e.g. <c>http://0.0.0.0:8080</c>; several separated by <c>;</c>. Empty: off.</summary>
    public string? Urls { get; set; }
}
