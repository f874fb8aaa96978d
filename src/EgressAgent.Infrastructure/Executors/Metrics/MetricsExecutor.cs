using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Pipeline;
using EgressAgent.Application.Ports;
using EgressAgent.Domain.Capacity;

namespace EgressAgent.Infrastructure.Executors.Metrics;

/// <summary>
/// <c>/api/v1/agent/metrics</c>: the agent's own meters as Prometheus text exposition lines,
/// returned as one JSON string (docs/adr/0009-sql-executor.md).
/// </summary>
internal sealed class MetricsExecutor(AgentCounters counters, InFlightCounter inFlight, IResultOutbox outbox) : IOperationExecutor
{
    public OperationRoute Route { get; } = OperationRoute.Exact("/api/v1/agent/metrics");

    public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken) =>
        Task.FromResult<JsonNode?>(JsonValue.Create(Render()));

    internal string Render()
    {
        var text = new StringBuilder();
        Family(text, "egress_agent_operations_total", "counter", "Operations that ended, by outcome (cancelled: by shutdown, no result).");
        Sample(text, "egress_agent_operations_total{outcome=\"success\"}", counters.OperationsSucceeded);
        Sample(text, "egress_agent_operations_total{outcome=\"error\"}", counters.OperationsFailed);
        Sample(text, "egress_agent_operations_total{outcome=\"cancelled\"}", counters.OperationsCancelled);
        Gauge(text, "egress_agent_in_flight", "Operations queued or running.", inFlight.InFlight);
        Gauge(text, "egress_agent_capacity", "Operations the agent runs at once (Operations:Workers).", inFlight.Capacity);
        Gauge(text, "egress_agent_outbox_pending", "Results stored and not yet delivered.", outbox.PendingCount);
        Counter(text, "egress_agent_results_delivered_total", "Results the orchestrator accepted.", counters.ResultsDelivered);
        Counter(text, "egress_agent_results_dropped_total", "Results dropped: rejected, expired or unreadable.", counters.ResultsDropped);
        Counter(text, "egress_agent_stream_connects_total", "Event stream connections opened.", counters.StreamConnects);
        Counter(text, "egress_agent_stream_reconnects_total", "Event stream reconnect attempts.", counters.StreamReconnects);
        Counter(text, "egress_agent_heartbeats_total", "Backpressure heartbeats sent.", counters.HeartbeatsSent);
        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        Family(text, name, "counter", help);
        Sample(text, name, value);
    }

    private static void Gauge(StringBuilder text, string name, string help, long value)
    {
        Family(text, name, "gauge", help);
        Sample(text, name, value);
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string series, long value) =>
        text.Append(series).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
