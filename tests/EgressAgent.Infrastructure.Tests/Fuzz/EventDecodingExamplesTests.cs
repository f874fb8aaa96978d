using EgressAgent.Application.Events.Dispatching;

namespace EgressAgent.Infrastructure.Tests.Fuzz;

/// <summary>The edges the fuzz test found or probes, pinned as readable examples.</summary>
public sealed class EventDecodingExamplesTests : IAsyncLifetime
{
    private readonly DispatchHarness _harness = new();

    public static TheoryData<string, string?, string?> Examples => new()
    {
        // goodbye is never lost for its reason (docs/protocol.md §4: "unknown" when absent or not a string)
        { "{\"type\":\"goodbye\",\"reason\":\"activity_timeout\"}", "goodbye", "activity_timeout" },
        { "{\"type\":\"goodbye\"}", "goodbye", "unknown" },
        { "{\"type\":\"goodbye\",\"reason\":7}", "goodbye", "unknown" },
        { "{\"type\":\"goodbye\",\"reason\":\"\\ud800\"}", "goodbye", "unknown" },
        { "{\"type\":\"goodbye\",\"reason\":\"\\udc00x\",\"reason\":\"activity_timeout\"}", "goodbye", "activity_timeout" },

        // the type is read as JSON reads it: escapes resolved, the last of duplicated names wins
        { "{\"\\u0074ype\":\"work_\\u0061vailable\"}", "work_available", null },
        { "{\"type\":\"nope\",\"type\":\"work_available\"}", "work_available", null },
        { "{\"type\":\"work_available\",\"type\":\"nope\"}", null, null },
        { "{\"type\":\"\\ud800\"}", null, null },

        // fields of the wrong type reject the event
        { "{\"type\":\"welcome\",\"agent_id\":\"a-1\"}", "welcome", "a-1" },
        { "{\"type\":\"welcome\",\"agent_id\":7}", null, null },
        { "{\"type\":\"welcome\",\"agent_id\":\"  \"}", null, null },
        { "{\"type\":\"welcome\",\"AgentId\":\"a-1\"}", null, null },
        { "{\"type\":\"heartbeat\",\"ts\":{}}", null, null },
        { "{\"type\":\"heartbeat\",\"ts\":\"2025-01-01T00:00:00Z\"}", "heartbeat", null },

        // nesting: 32 levels are accepted, 33 are not
        { "{\"type\":\"work_available\",\"x\":" + new string('[', 31) + new string(']', 31) + "}", "work_available", null },
        { "{\"type\":\"work_available\",\"x\":" + new string('[', 32) + new string(']', 32) + "}", null, null },

        // not an event at all
        { "[{\"type\":\"work_available\"}]", null, null },
        { "\"{\\\"type\\\":\\\"work_available\\\"}\"", null, null },
        { string.Empty, null, null },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Message_data_decodes_to_the_expected_event_or_none(string data, string? kind, string? detail)
    {
        var dispatched = await _harness.Dispatcher.DispatchAsync(new StreamMessage(data, null), CancellationToken.None);

        var effects = _harness.TakeEffects();
        Assert.Equal(kind is not null, dispatched);
        Assert.Equal(kind is null ? [] : new[] { new Effect(kind, detail) }, effects);
    }

    [Fact]
    public async Task The_oracle_agrees_with_every_example()
    {
        // Keeps the fuzz oracle honest: it must call each example the way the examples do.
        foreach (var row in Examples)
        {
            var (data, kind, detail) = ((string)row[0], (string?)row[1], (string?)row[2]);
            var expected = EventOracle.Classify(data);
            Assert.Equal(kind is null ? null : new Effect(kind, detail), expected.Effect);
        }

        await Task.CompletedTask;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _harness.DisposeAsync();
}
