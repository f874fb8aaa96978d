using Microsoft.AspNetCore.Http;

namespace EgressAgent.Emulator;

/// <summary>Everything the endpoints and the public facade share.</summary>
internal sealed class EmulatorState : IDisposable
{
    // Plenty for any test or benchmark run, yet bounded for an emulator left running for days.
    private const int RecordingCapacity = 100_000;

    private readonly Action<string>? log;
    private readonly CancellationTokenSource shutdown = new();

    public EmulatorState(EmulatorOptions options, PathString pathPrefix)
    {
        Options = options;
        PathPrefix = pathPrefix;
        PrefixSegmentCount = (pathPrefix.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
        log = options.Log;
        Credentials = new CredentialGate(options.TokenId, options.TokenSecret);
        Queue = new OperationQueue(Time, RecordingCapacity);
        Recorder = new Recorder(RecordingCapacity, Log);
    }

    public EmulatorOptions Options { get; }

    public PathString PathPrefix { get; }

    public int PrefixSegmentCount { get; }

    public TimeProvider Time { get; } = TimeProvider.System;

    public CredentialGate Credentials { get; }

    public OperationQueue Queue { get; }

    public Recorder Recorder { get; }

    public StreamHub Hub { get; } = new();

    public FaultScript Faults { get; } = new();

    public ResultLocationFetcher Locations { get; } = new();

    /// <summary>Gets a token that fires when the emulator is disposed, ending delays and streams early.</summary>
    public CancellationToken ShuttingDown => shutdown.Token;

    public void Log(string line)
    {
        if (log is null)
        {
            return;
        }

        try
        {
            log(line);
        }
        catch (Exception)
        {
            // A broken logger must not turn into failed requests.
        }
    }

    public void BeginShutdown()
    {
        shutdown.Cancel();
        Hub.CloseAll();
    }

    public void Dispose()
    {
        Locations.Dispose();
        shutdown.Dispose();
    }
}
