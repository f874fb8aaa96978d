using System.Net;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>Contract §10: an E2 answer holding text that is not valid Unicode is still a delivery.</summary>
public sealed class HostileResultAnswerTests
{
    private static readonly JsonResultBody Result = new(new JsonObject { ["__mcd_result__"] = 1, ["__mcd_trace_id__"] = "t-1" });

    [Theory]
    [InlineData("{\"\\udc00\":1,\"next_operation\":{\"operation_id\":\"op-2\",\"path\":\"/p\"}}", true)]
    [InlineData("{\"next_operation\":{\"operation_id\":\"op-2\",\"path\":\"/p\"},\"\\ud800x\":\"\\udc00\"}", true)]
    [InlineData("{\"\\udc00\":1}", false)]
    public async Task A_broken_name_beside_next_operation_neither_fails_the_delivery_nor_loses_the_next_operation(string body, bool hasNext)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RecordingHandler.Json(HttpStatusCode.OK, body);

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.Delivered, outcome.Status);
        Assert.Equal(hasNext, outcome.NextOperation is not null);
    }

    /// <summary>
    /// docs/reliability.md: a 2xx is a delivery whatever its answer; a <c>next_operation</c> an
    /// answer that is not JSON may have carried is lost, with the warning that says so (it used to
    /// vanish in silence). An empty 2xx carries nothing, so it warns of nothing.
    /// </summary>
    [Theory]
    [InlineData("<html>OK</html>", true)]
    [InlineData("{\"next_operation\":{\"operation_id\":\"op-2\",", true)]
    [InlineData("", false)]
    public async Task A_2xx_answer_that_is_not_JSON_is_a_delivery_and_the_next_operation_it_may_carry_is_lost_with_a_warning(string body, bool warned)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RecordingHandler.Json(HttpStatusCode.OK, body);

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.Delivered, outcome.Status);
        Assert.Null(outcome.NextOperation);
        var warnings = harness.AdapterLog.Records.Where(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning).ToList();
        if (warned)
        {
            var warning = Assert.Single(warnings);
            Assert.Contains("op-1", warning.Message, StringComparison.Ordinal);
            Assert.Contains("next_operation", warning.Message, StringComparison.Ordinal);
            Assert.Contains("not JSON", warning.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(warnings);
        }
    }
}
