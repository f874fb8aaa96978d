using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using EgressAgent.Application.Health;

namespace EgressAgent.Infrastructure.Executors.Metrics;

/// <summary>
/// Reads the instruments of the agent's meter (<see cref="AgentCounters.Meter"/>) the way an
/// exporter does, so the <c>/api/v1/agent/metrics</c> operation and <c>/metrics</c> show the same
/// numbers from the same instruments (docs/adr/0024): it listens from construction on, so
/// histogram buckets accumulate, and collects the observable instruments when asked.
/// </summary>
internal sealed class AgentMeterReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<Instrument> _instruments = [];
    private readonly Dictionary<Instrument, SortedDictionary<string, double>> _observed = [];
    private readonly Dictionary<Instrument, SortedDictionary<string, HistogramSeries>> _histograms = [];

    public AgentMeterReader(AgentCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, counters.Meter))
            {
                lock (_gate)
                {
                    _instruments.Add(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => OnMeasurement(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => OnMeasurement(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => OnMeasurement(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every instrument as Prometheus text exposition lines (HELP, TYPE, samples).</summary>
    public string Render()
    {
        var text = new StringBuilder();
        lock (_gate)
        {
            _observed.Clear();
            _listener.RecordObservableInstruments(); // calls back on this thread, into OnMeasurement
            foreach (var instrument in _instruments)
            {
                var type = TypeOf(instrument);
                text.Append("# HELP ").Append(instrument.Name).Append(' ').Append(instrument.Description).Append('\n')
                    .Append("# TYPE ").Append(instrument.Name).Append(' ').Append(type).Append('\n');
                if (type == "histogram")
                {
                    AppendHistogram(text, instrument);
                }
                else if (_observed.TryGetValue(instrument, out var series))
                {
                    foreach (var (labels, value) in series)
                    {
                        Sample(text, instrument.Name, labels, value);
                    }
                }
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = LabelsOf(tags);
        lock (_gate)
        {
            if (instrument is Histogram<double> histogram)
            {
                if (!_histograms.TryGetValue(instrument, out var all))
                {
                    _histograms[instrument] = all = new(StringComparer.Ordinal);
                }

                if (!all.TryGetValue(labels, out var series))
                {
                    all[labels] = series = new HistogramSeries(histogram.Advice?.HistogramBucketBoundaries?.ToArray() ?? []);
                }

                series.Record(value);
                return;
            }

            if (!_observed.TryGetValue(instrument, out var observed))
            {
                _observed[instrument] = observed = new(StringComparer.Ordinal);
            }

            observed[labels] = value;
        }
    }

    private void AppendHistogram(StringBuilder text, Instrument instrument)
    {
        if (!_histograms.TryGetValue(instrument, out var all))
        {
            return;
        }

        foreach (var (labels, series) in all)
        {
            var separator = labels.Length == 0 ? string.Empty : ",";
            long cumulative = 0;
            for (var i = 0; i < series.Bounds.Length; i++)
            {
                cumulative += series.Counts[i];
                Sample(text, instrument.Name + "_bucket", $"{labels}{separator}le=\"{Number(series.Bounds[i])}\"", cumulative);
            }

            Sample(text, instrument.Name + "_bucket", $"{labels}{separator}le=\"+Inf\"", series.Count);
            Sample(text, instrument.Name + "_sum", labels, series.Sum);
            Sample(text, instrument.Name + "_count", labels, series.Count);
        }
    }

    private static string TypeOf(Instrument instrument) => instrument switch
    {
        Histogram<double> => "histogram",
        ObservableCounter<long> or ObservableCounter<int> or Counter<long> => "counter",
        _ => "gauge",
    };

    /// <summary>Labels as Prometheus writes them, without the braces: <c>outcome="success"</c>.</summary>
    private static string LabelsOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var labels = new StringBuilder();
        foreach (var (key, value) in tags)
        {
            if (labels.Length > 0)
            {
                labels.Append(',');
            }

            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            labels.Append(key).Append("=\"")
                .Append(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
                .Append('"');
        }

        return labels.ToString();
    }

    private static void Sample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One label set of a histogram: per-bucket counts (not cumulative), count and sum.</summary>
    private sealed class HistogramSeries(double[] bounds)
    {
        public double[] Bounds { get; } = bounds;

        public long[] Counts { get; } = new long[bounds.Length];

        public long Count { get; private set; }

        public double Sum { get; private set; }

        public void Record(double value)
        {
            // A loop, not Array.FindIndex: its lambda would capture value, an allocation per operation ended.
            for (var i = 0; i < Bounds.Length; i++)
            {
                if (value <= Bounds[i])
                {
                    Counts[i]++;
                    break;
                }
            }

            Count++;
            Sum += value;
        }
    }
}
