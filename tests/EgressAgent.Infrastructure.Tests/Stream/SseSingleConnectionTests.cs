using System.Net;

namespace EgressAgent.Infrastructure.Tests.Stream;

/// <summary>Contract §4: exactly one stream connection at a time; the old one is closed before the new one opens.</summary>
public sealed class SseSingleConnectionTests
{
    [Fact]
    public async Task Every_kind_of_connection_end_closes_the_old_response_before_the_next_request()
    {
        var idle = TimeSpan.FromSeconds(10);
        await using var harness = new StreamHarness(random: 0.0, idleTimeout: idle);

        // Clean close after a message.
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        body.Send("data: {\"type\":\"heartbeat\"}\n\n");
        await harness.NextMessageAsync();
        body.Complete();

        // Silence past the idle timeout.
        var (_, connection) = await harness.SitOutReconnectDelayAsync();
        body = connection.RespondWithStream();
        await body.SendAndWaitConsumedAsync(": hello\n");
        harness.Time.Advance(idle);

        // A broken connection mid-message.
        (_, connection) = await harness.SitOutReconnectDelayAsync();
        body = connection.RespondWithStream();
        body.Send("data: half a mess");
        body.Fail();

        // A refused connect, then one that stays open.
        (_, connection) = await harness.SitOutReconnectDelayAsync();
        connection.RespondStatus(HttpStatusCode.ServiceUnavailable);
        (_, connection) = await harness.SitOutReconnectDelayAsync();
        body = connection.RespondWithStream();
        body.Send("data: still one\n\n");
        Assert.Equal("still one", (await harness.NextMessageAsync()).Data);

        Assert.Equal([0, 0, 0, 0, 0], harness.Server.OpenStreamsAtRequest);
        Assert.Equal(1, harness.Server.MaxOpenStreams);
        Assert.False(harness.HasPendingMessage); // the half message was never delivered
    }
}
