using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Health;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Capacity;
using EgressAgent.Infrastructure.Executors.Metrics;
using Moq;

namespace EgressAgent.Infrastructure.Tests.Executors.Metrics;

/// <summary>
/// <c>/api/v1/agent/metrics</c>: Prometheus text lines of the agent's own instruments, as one JSON
/// string — the instruments and names of the management endpoint <c>/metrics</c> (docs/protocol.md §11).
/// </summary>
public sealed partial class MetricsExecutorTests : IDisposable
{
    private readonly AgentCounters _counters = new();
    private readonly InFlightCounter _inFlight = new(8);
    private readonly Mock<IResultOutbox> _outbox = new();
    private bool _degraded;
    private readonly AgentMeterReader _reader;

    public MetricsExecutorTests()
    {
        _counters.ObservePipeline(_inFlight, () => _outbox.Object.PendingCount, () => _degraded);
        _reader = new AgentMeterReader(_counters);
    }

    public void Dispose()
    {
        _reader.Dispose();
        _counters.Dispose();
    }

    [Fact]
    public async Task Metrics_are_the_current_counter_values_as_prometheus_samples_under_the_contract_names()
    {
        _counters.OperationSucceeded();
        _counters.OperationSucceeded();
        _counters.OperationFailed();
        _counters.OperationCancelled();
        _counters.ResultDelivered();
        _counters.ResultAttempt(200);
        _counters.ResultAttempt(503);
        _counters.ResultAttempt(200);
        _counters.ResultAttempt(null);
        _counters.StreamConnected();
        _counters.StreamReconnecting();
        _counters.HeartbeatSent();
        _counters.HeartbeatSent();
        _counters.HeartbeatSent();
        _inFlight.TryReserve();
        _outbox.SetupGet(o => o.PendingCount).Returns(5);

        var samples = Samples(await RunAsync());

        Assert.Equal(2, samples["egress_operations_total{outcome=\"success\"}"]);
        Assert.Equal(1, samples["egress_operations_total{outcome=\"error\"}"]);
        Assert.Equal(1, samples["egress_operations_cancelled_total"]);
        Assert.Equal(1, samples["egress_operations_in_flight"]);
        Assert.Equal(8, samples["egress_capacity"]);
        Assert.Equal(5, samples["egress_outbox_pending"]);
        Assert.Equal(2, samples["egress_result_attempts_total{status=\"200\"}"]);
        Assert.Equal(1, samples["egress_result_attempts_total{status=\"503\"}"]);
        Assert.Equal(1, samples["egress_result_attempts_total{status=\"transport\"}"]);
        Assert.Equal(1, samples["egress_results_delivered_total"]);
        Assert.Equal(0, samples["egress_results_dropped_total"]);
        Assert.Equal(0, samples["egress_stream_connected"]); // reconnecting after the connection ended
        Assert.Equal(1, samples["egress_stream_connects_total"]);
        Assert.Equal(1, samples["egress_stream_reconnects_total"]);
        Assert.Equal(3, samples["egress_heartbeats_total"]);
        Assert.Equal(0, samples["egress_storage_degraded"]);
    }

    [Fact]
    public async Task Storage_degraded_is_1_while_a_result_cannot_be_stored()
    {
        _degraded = true;
        Assert.Equal(1, Samples(await RunAsync())["egress_storage_degraded"]);

        _degraded = false;
        Assert.Equal(0, Samples(await RunAsync())["egress_storage_degraded"]);
    }

    [Fact]
    public async Task The_stream_gauge_is_1_while_connected_and_0_once_the_connection_ended()
    {
        _counters.StreamConnected();
        Assert.Equal(1, Samples(await RunAsync())["egress_stream_connected"]);

        _counters.StreamDisconnected();
        Assert.Equal(0, Samples(await RunAsync())["egress_stream_connected"]);
    }

    [Fact]
    public async Task Operation_durations_are_a_cumulative_histogram_by_outcome()
    {
        _counters.OperationDuration(TimeSpan.FromMilliseconds(3), succeeded: true);
        _counters.OperationDuration(TimeSpan.FromMilliseconds(700), succeeded: true);
        _counters.OperationDuration(TimeSpan.FromSeconds(4), succeeded: false);

        var samples = Samples(await RunAsync());

        Assert.Equal(1, samples["egress_operation_duration_seconds_bucket{outcome=\"success\",le=\"0.005\"}"]);
        Assert.Equal(1, samples["egress_operation_duration_seconds_bucket{outcome=\"success\",le=\"0.5\"}"]);
        Assert.Equal(2, samples["egress_operation_duration_seconds_bucket{outcome=\"success\",le=\"1\"}"]);
        Assert.Equal(2, samples["egress_operation_duration_seconds_bucket{outcome=\"success\",le=\"+Inf\"}"]);
        Assert.Equal(2, samples["egress_operation_duration_seconds_count{outcome=\"success\"}"]);
        Assert.Equal(0.703, samples["egress_operation_duration_seconds_sum{outcome=\"success\"}"], precision: 9);
        Assert.Equal(0, samples["egress_operation_duration_seconds_bucket{outcome=\"error\",le=\"2.5\"}"]);
        Assert.Equal(1, samples["egress_operation_duration_seconds_bucket{outcome=\"error\",le=\"5\"}"]);
        Assert.Equal(1, samples["egress_operation_duration_seconds_count{outcome=\"error\"}"]);
    }

    [Fact]
    public async Task Every_line_is_a_help_or_type_comment_or_a_sample_and_every_sample_has_a_declared_type()
    {
        _counters.OperationDuration(TimeSpan.FromSeconds(1), succeeded: true);
        _counters.ResultAttempt(200);
        var text = await RunAsync();

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.Matches(LineShape(), l));
        var typed = lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet();
        Assert.All(lines.Where(l => !l.StartsWith('#')), l => Assert.Contains(Family(l.Split('{', ' ')[0]), typed));
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_agents_instruments_in_the_same_process_are_not_read()
    {
        using var other = new AgentCounters();
        other.HeartbeatSent();
        other.HeartbeatSent();

        var samples = Samples(await RunAsync());

        Assert.Equal(0, samples["egress_heartbeats_total"]);
    }

    private async Task<string> RunAsync()
    {
        var executor = new MetricsExecutor(_reader);
        var context = new OperationContext("op-1", "/api/v1/agent/metrics", "t", new JsonObject());
        var payload = await executor.ExecuteAsync(context, CancellationToken.None);
        return payload!.GetValue<string>();
    }

    private static string Family(string series) =>
        series.EndsWith("_bucket", StringComparison.Ordinal) ? series[..^"_bucket".Length]
        : series.EndsWith("_count", StringComparison.Ordinal) ? series[..^"_count".Length]
        : series.EndsWith("_sum", StringComparison.Ordinal) ? series[..^"_sum".Length]
        : series;

    private static Dictionary<string, double> Samples(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    [GeneratedRegex("""^(# HELP [a-z_]+ .+|# TYPE [a-z_]+ (counter|gauge|histogram)|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.E+-]+)$""")]
    private static partial Regex LineShape();
}
