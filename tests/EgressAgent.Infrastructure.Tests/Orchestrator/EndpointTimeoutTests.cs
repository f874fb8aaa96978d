using System.Net;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>Contract §2/§3: every call has a timeout; a silent orchestrator cannot hang the agent.</summary>
public sealed class EndpointTimeoutTests
{
    public static TheoryData<string, int> Endpoints => new()
    {
        { "E1", 30 },
        { "E3", 10 },
        { "E4", 15 },
        { "E6", 10 },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task An_unanswered_call_times_out_after_its_endpoint_timeout(string endpoint, int seconds)
    {
        await using var harness = new ApiHarness();
        harness.Handler.RespondAsync = async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        };

        var call = endpoint switch
        {
            "E1" => harness.Api.FetchOperationAsync(CancellationToken.None),
            "E3" => harness.Api.HeartbeatAsync(CancellationToken.None),
            "E4" => harness.Api.NotifyShutdownAsync(CancellationToken.None),
            _ => harness.Api.PingAsync("t-1", CancellationToken.None),
        };
        var timeout = await harness.Time.NextTimerAsync(_ => true, "the call's timeout");
        await harness.Handler.Changed.WaitUntilAsync(() => harness.Handler.Requests.Count == 1, "the request");

        harness.Time.Advance(timeout - TimeSpan.FromTicks(1));
        Assert.False(call.IsCompleted);
        harness.Time.Advance(TimeSpan.FromTicks(1));

        await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(Pulse.DefaultTimeout));
        Assert.Equal(TimeSpan.FromSeconds(seconds), timeout);
    }

    [Fact]
    public async Task A_call_cancelled_by_the_caller_is_cancelled_not_timed_out()
    {
        await using var harness = new ApiHarness();
        harness.Handler.RespondAsync = async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        };
        using var stop = new CancellationTokenSource();

        var call = harness.Api.HeartbeatAsync(stop.Token);
        await harness.Handler.Changed.WaitUntilAsync(() => harness.Handler.Requests.Count == 1, "the request");
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Pulse.DefaultTimeout));
    }
}
