using System.Text.Json.Nodes;
using EgressAgent.EndToEnd.Tests.Connectors;
using EgressAgent.Emulator;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>A <see cref="ConnectorRunResult"/> plus each result as the emulator recorded it: what it fetched from the location, or why it could not.</summary>
internal sealed record OffloadRunResult(ConnectorRunResult Run, IReadOnlyDictionary<string, RecordedResult> Recorded)
{
    public JsonObject this[string name] => Run[name];

    /// <summary>The body the emulator fetched from the result's location, failing with the fetch error when there is none.</summary>
    public JsonNode Fetched(string name)
    {
        var recorded = Recorded[name];
        Assert.True(recorded.LocationError is null, $"the emulator could not fetch the location of '{name}': {recorded.LocationError}");
        return Assert.IsAssignableFrom<JsonNode>(recorded.LocationBody);
    }
}
