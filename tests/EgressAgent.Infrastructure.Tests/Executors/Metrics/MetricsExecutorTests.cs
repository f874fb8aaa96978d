using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Pipeline;
using EgressAgent.Application.Ports;
using EgressAgent.Domain.Capacity;
using EgressAgent.Infrastructure.Executors.Metrics;
using Moq;

namespace EgressAgent.Infrastructure.Tests.Executors.Metrics;

/// <summary><c>/api/v1/agent/metrics</c>: Prometheus text lines of the agent's own meters, as one JSON string.</summary>
public sealed partial class MetricsExecutorTests
{
    private readonly AgentCounters _counters = new();
    private readonly InFlightCounter _inFlight = new(8);
    private readonly Mock<IResultOutbox> _outbox = new();

    [Fact]
    public async Task Metrics_are_the_current_counter_values_as_prometheus_samples()
    {
        _counters.OperationSucceeded();
        _counters.OperationSucceeded();
        _counters.OperationFailed();
        _counters.OperationCancelled();
        _counters.ResultDelivered();
        _counters.StreamReconnecting();
        _counters.HeartbeatSent();
        _counters.HeartbeatSent();
        _counters.HeartbeatSent();
        _inFlight.TryReserve();
        _outbox.SetupGet(o => o.PendingCount).Returns(5);

        var samples = Samples(await RunAsync());

        Assert.Equal(2, samples["egress_agent_operations_total{outcome=\"success\"}"]);
        Assert.Equal(1, samples["egress_agent_operations_total{outcome=\"error\"}"]);
        Assert.Equal(1, samples["egress_agent_operations_total{outcome=\"cancelled\"}"]);
        Assert.Equal(1, samples["egress_agent_in_flight"]);
        Assert.Equal(8, samples["egress_agent_capacity"]);
        Assert.Equal(5, samples["egress_agent_outbox_pending"]);
        Assert.Equal(1, samples["egress_agent_results_delivered_total"]);
        Assert.Equal(0, samples["egress_agent_results_dropped_total"]);
        Assert.Equal(1, samples["egress_agent_stream_reconnects_total"]);
        Assert.Equal(3, samples["egress_agent_heartbeats_total"]);
    }

    [Fact]
    public async Task Every_line_is_a_help_or_type_comment_or_a_sample_and_every_sample_has_a_declared_type()
    {
        var text = await RunAsync();

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.Matches(LineShape(), l));
        var typed = lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet();
        Assert.All(lines.Where(l => !l.StartsWith('#')), l => Assert.Contains(l.Split('{', ' ')[0], typed));
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    private async Task<string> RunAsync()
    {
        var executor = new MetricsExecutor(_counters, _inFlight, _outbox.Object);
        var context = new OperationContext("op-1", "/api/v1/agent/metrics", "t", new JsonObject());
        var payload = await executor.ExecuteAsync(context, CancellationToken.None);
        return payload!.GetValue<string>();
    }

    private static Dictionary<string, long> Samples(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], provider: null));

    [GeneratedRegex("""^(# HELP [a-z_]+ .+|# TYPE [a-z_]+ (counter|gauge)|[a-z_]+(\{[a-z_]+="[^"]*"\})? -?\d+)$""")]
    private static partial Regex LineShape();
}
