using EgressAgent.Application.Events.Dispatching;

namespace EgressAgent.Application.Tests.Events;

/// <summary>An event record the source-generated JSON context does not list (docs/adr/0026).</summary>
[OrchestratorEvent("unlisted_for_test")]
public sealed record UnlistedEvent(string? Value = null) : IOrchestratorEvent;

public sealed class EventCatalogTests
{
    [Fact]
    public void An_event_missing_from_the_generated_json_context_stops_the_catalog_at_start_with_its_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new EventCatalog([typeof(EventCatalogTests).Assembly]));

        Assert.Contains(nameof(UnlistedEvent), error.Message, StringComparison.Ordinal);
        Assert.Contains("EventJsonContext", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_application_event_has_generated_json_metadata_and_a_binding()
    {
        var catalog = new EventCatalog([typeof(EventCatalog).Assembly]);

        Assert.Equal(["goodbye", "heartbeat", "welcome", "work_available"], catalog.WireNames.Order(StringComparer.Ordinal));
        Assert.All(catalog.WireNames, name => Assert.NotNull(catalog.Find(name)));
    }
}
