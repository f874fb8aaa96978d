using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>Contract §5.1: an envelope marked <c>__mcd_size_exceeded__</c> is fetched with E5 and run as the full operation.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class OversizedEnvelopeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_oversized_envelope_is_downloaded_and_its_result_is_the_full_operation_with_its_trace_id()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var operation = new JsonObject
        {
            ["trace_id"] = "t-oversized",
            ["blob"] = new string('x', 256 * 1024),
            ["rows"] = new JsonArray(1, 2, 3),
        };
        var id = emulator.EnqueueOversized(Wire.Echo, operation);
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);

        var result = Assert.Single(await emulator.WaitForResultsAsync(1, Bound));

        Assert.Contains(emulator.Requests, r => Wire.IsDownloadOf(r, id) && r.StatusCode == 200);
        Assert.Equal(id, result.OperationId);
        var shaped = result.Result!;
        Assert.Equal("t-oversized", shaped["__mcd_trace_id__"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(operation, shaped["__mcd_result__"]), "The result is not the full downloaded operation.");
    }
}
