using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using EgressAgent.Domain.Capacity;

namespace EgressAgent.Application.Health;

/// <summary>
/// The agent's own numbers, written lock-free on hot paths and published as
/// <see cref="System.Diagnostics.Metrics"/> instruments of the meter <see cref="MeterName"/>: the
/// one source of both <c>/metrics</c> (OpenTelemetry's Prometheus exporter) and the
/// <c>/api/v1/agent/metrics</c> operation (docs/adr/0024). Instruments carry their exposed
/// Prometheus names (docs/protocol.md §11), suffixes included, so an exporter adds nothing to them.
/// </summary>
public sealed class AgentCounters : IDisposable
{
    public const string MeterName = "EgressAgent";

    /// <summary>Operation durations from a millisecond echo to an hour-long query.</summary>
    internal static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

    private const string Success = "success";
    private const string Error = "error";

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _operationDuration;
    private readonly ConcurrentDictionary<string, long> _resultAttempts = new(StringComparer.Ordinal);
    private long _operationsSucceeded;
    private long _operationsFailed;
    private long _operationsCancelled;
    private long _resultsDelivered;
    private long _resultsDropped;
    private long _uploadsCompleted;
    private long _uploadsFailed;
    private long _streamConnects;
    private long _streamReconnects;
    private long _heartbeatsSent;
    private int _streamConnected;

    public AgentCounters()
    {
        _meter.CreateObservableCounter("egress_operations_total", () => new[]
        {
            new Measurement<long>(OperationsSucceeded, new KeyValuePair<string, object?>("outcome", Success)),
            new Measurement<long>(OperationsFailed, new KeyValuePair<string, object?>("outcome", Error)),
        }, description: "Operations that ended with a result, by outcome.");
        _meter.CreateObservableCounter("egress_operations_cancelled_total", () => OperationsCancelled,
            description: "Operations cancelled by shutdown (no result; the orchestrator requeues them).");
        _operationDuration = _meter.CreateHistogram<double>("egress_operation_duration_seconds", unit: "s",
            description: "Time an operation ran on a worker, by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _meter.CreateObservableCounter("egress_result_attempts_total",
            () => _resultAttempts.Select(a => new Measurement<long>(a.Value, new KeyValuePair<string, object?>("status", a.Key))),
            description: "Result deliveries (E2) attempted, by HTTP status; 'transport' when no answer came.");
        _meter.CreateObservableCounter("egress_results_delivered_total", () => ResultsDelivered,
            description: "Results the orchestrator accepted.");
        _meter.CreateObservableCounter("egress_results_dropped_total", () => ResultsDropped,
            description: "Results dropped: rejected, expired or unreadable.");
        _meter.CreateObservableCounter("egress_result_uploads_total", () => new[]
        {
            new Measurement<long>(UploadsCompleted, new KeyValuePair<string, object?>("outcome", Success)),
            new Measurement<long>(UploadsFailed, new KeyValuePair<string, object?>("outcome", Error)),
        }, description: "Large results uploaded to object storage, by outcome; a failed one is retried.");
        _meter.CreateObservableGauge("egress_stream_connected", () => Volatile.Read(ref _streamConnected),
            description: "1 while the event stream is connected, else 0.");
        _meter.CreateObservableCounter("egress_stream_connects_total", () => StreamConnects,
            description: "Event stream connections opened.");
        _meter.CreateObservableCounter("egress_stream_reconnects_total", () => StreamReconnects,
            description: "Event stream reconnect attempts.");
        _meter.CreateObservableCounter("egress_heartbeats_total", () => HeartbeatsSent,
            description: "Backpressure heartbeats (E3) sent.");
    }

    /// <summary>The meter every instrument above belongs to; readers listen to this instance.</summary>
    public Meter Meter => _meter;

    public long OperationsSucceeded => Interlocked.Read(ref _operationsSucceeded);
    public long OperationsFailed => Interlocked.Read(ref _operationsFailed);
    public long OperationsCancelled => Interlocked.Read(ref _operationsCancelled);
    public long ResultsDelivered => Interlocked.Read(ref _resultsDelivered);
    public long ResultsDropped => Interlocked.Read(ref _resultsDropped);
    public long UploadsCompleted => Interlocked.Read(ref _uploadsCompleted);
    public long UploadsFailed => Interlocked.Read(ref _uploadsFailed);
    public long StreamConnects => Interlocked.Read(ref _streamConnects);
    public long StreamReconnects => Interlocked.Read(ref _streamReconnects);
    public long HeartbeatsSent => Interlocked.Read(ref _heartbeatsSent);

    public void OperationSucceeded() => Interlocked.Increment(ref _operationsSucceeded);
    public void OperationFailed() => Interlocked.Increment(ref _operationsFailed);
    public void OperationCancelled() => Interlocked.Increment(ref _operationsCancelled);
    public void ResultDelivered() => Interlocked.Increment(ref _resultsDelivered);
    public void ResultDropped() => Interlocked.Increment(ref _resultsDropped);
    public void UploadCompleted() => Interlocked.Increment(ref _uploadsCompleted);
    public void UploadFailed() => Interlocked.Increment(ref _uploadsFailed);
    public void HeartbeatSent() => Interlocked.Increment(ref _heartbeatsSent);

    public void StreamConnected()
    {
        Interlocked.Increment(ref _streamConnects);
        Volatile.Write(ref _streamConnected, 1);
    }

    public void StreamReconnecting()
    {
        Interlocked.Increment(ref _streamReconnects);
        Volatile.Write(ref _streamConnected, 0);
    }

    /// <summary>The open stream ended (closed, failed, silent or stopped).</summary>
    public void StreamDisconnected() => Volatile.Write(ref _streamConnected, 0);

    /// <summary>An operation that ended with a result ran this long on its worker.</summary>
    public void OperationDuration(TimeSpan duration, bool succeeded) =>
        _operationDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", succeeded ? Success : Error));

    /// <summary>One E2 attempt ended with <paramref name="statusCode"/>, or with no answer at all (null).</summary>
    public void ResultAttempt(int? statusCode) =>
        _resultAttempts.AddOrUpdate(statusCode?.ToString(CultureInfo.InvariantCulture) ?? "transport", 1, static (_, n) => n + 1);

    /// <summary>
    /// Adds the pipeline's gauges — in flight, capacity, results waiting in the outbox, storage
    /// degraded. Called once by the composition, which owns those parts; the counters above need
    /// nothing else.
    /// </summary>
    public void ObservePipeline(InFlightCounter inFlight, Func<int> outboxPending, Func<bool> storageDegraded)
    {
        ArgumentNullException.ThrowIfNull(inFlight);
        ArgumentNullException.ThrowIfNull(storageDegraded);
        _meter.CreateObservableGauge("egress_operations_in_flight", () => inFlight.InFlight,
            description: "Operations queued or running (results waiting in the outbox excluded).");
        _meter.CreateObservableGauge("egress_capacity", () => inFlight.Capacity,
            description: "Operations the agent runs at once (Operations:Workers).");
        _meter.CreateObservableGauge("egress_outbox_pending", outboxPending,
            description: "Results stored and not yet delivered.");
        _meter.CreateObservableGauge("egress_storage_degraded", () => storageDegraded() ? 1 : 0,
            description: "1 while a finished result cannot be stored (intake paused, /readyz failing), else 0.");
    }

    public void Dispose() => _meter.Dispose();
}
