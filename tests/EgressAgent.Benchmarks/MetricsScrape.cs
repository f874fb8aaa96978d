using System.Globalization;

namespace EgressAgent.Benchmarks;

/// <summary>
/// Reads the agent's own counters from its <c>/metrics</c> endpoint (OpenTelemetry runtime
/// instrumentation, docs/adr/0024): how a benchmark sees inside the process without attaching to it.
/// </summary>
internal sealed class MetricsScrape(Uri metrics) : IDisposable
{
    /// <summary>System.Runtime's <c>dotnet.gc.heap.total_allocated</c> in Prometheus form.</summary>
    private const string AllocatedBytes = "dotnet_gc_heap_total_allocated_bytes_total";

    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Bytes the agent has allocated since it started, or NaN when the endpoint does not say.</summary>
    public async Task<double> AllocatedBytesAsync()
    {
        try
        {
            var text = await _client.GetStringAsync(metrics);
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith(AllocatedBytes, StringComparison.Ordinal))
                {
                    return double.Parse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (HttpRequestException)
        {
        }

        return double.NaN;
    }

    /// <summary>The sum of every series of one metric (all label sets), or NaN when the endpoint does not say.</summary>
    public async Task<double> TotalAsync(string metric)
    {
        try
        {
            var text = await _client.GetStringAsync(metrics);
            var total = double.NaN;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith(metric, StringComparison.Ordinal) && line.Length > metric.Length && line[metric.Length] is '{' or ' ')
                {
                    var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
                    total = double.IsNaN(total) ? value : total + value;
                }
            }

            return total;
        }
        catch (HttpRequestException)
        {
            return double.NaN;
        }
    }

    public void Dispose() => _client.Dispose();
}
