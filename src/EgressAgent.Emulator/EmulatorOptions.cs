namespace EgressAgent.Emulator;

/// <summary>Start-up settings of an <see cref="OrchestratorEmulator"/>.</summary>
public sealed class EmulatorOptions
{
    /// <summary>IP address to bind (loopback by default; "localhost" is accepted as 127.0.0.1).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (read it back from <see cref="OrchestratorEmulator.BaseUrl"/>).</summary>
    public int Port { get; set; }

    /// <summary>Path every agent-facing endpoint lives under, e.g. "/prefix", so tests can check that the agent keeps the base URL's path.</summary>
    public string PathPrefix { get; set; } = "";

    /// <summary>Initially accepted <c>x-mcd-id</c>.</summary>
    public string TokenId { get; set; } = "emulator-id";

    /// <summary>Initially accepted <c>x-mcd-token</c>.</summary>
    public string TokenSecret { get; set; } = "emulator-secret";

    /// <summary>When true, a 2xx answer to a result carries <c>next_operation</c> if the queue holds one. Read on every request.</summary>
    public bool PiggybackNextOperation { get; set; }

    /// <summary>
    /// When true (the default), an accepted result that carries <c>__mcd_result_location__</c>
    /// (docs/protocol.md §13) is fetched from that URL before it is answered, gunzipped when
    /// <c>__mcd_result_compressed__</c> is true, and recorded as <see cref="RecordedResult.LocationBody"/>
    /// or <see cref="RecordedResult.LocationError"/>. Read on every request.
    /// </summary>
    public bool FetchResultLocations { get; set; } = true;

    /// <summary>
    /// Bounds one location fetch, body included. Below the agent's 60 s per attempt for E2, so a
    /// slow store shows as a <see cref="RecordedResult.LocationError"/>, not as an E2 timeout.
    /// </summary>
    public TimeSpan ResultLocationTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The most bytes a location fetch reads, before and after gunzip; a larger object is a <see cref="RecordedResult.LocationError"/>.</summary>
    public long ResultLocationMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Optional line logger; without it the emulator writes nothing anywhere.</summary>
    public Action<string>? Log { get; set; }
}
