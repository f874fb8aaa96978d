using System.Net;

namespace EgressAgent.Infrastructure.Tests.Stream;

/// <summary>Contract §4: a reconnect resumes with Last-Event-ID once the server has sent ids.</summary>
public sealed class SseLastEventIdTests
{
    [Fact]
    public async Task Last_Event_ID_is_sent_on_reconnect_only_after_the_server_sent_an_id()
    {
        await using var harness = new StreamHarness(random: 0.0);
        var first = await harness.Server.NextConnectionAsync();
        var body = first.RespondWithStream();
        body.Send("data: {\"type\":\"heartbeat\"}\n\n");
        await harness.NextMessageAsync();
        body.Complete();

        var (_, second) = await harness.SitOutReconnectDelayAsync();
        body = second.RespondWithStream();
        body.Send("id: ev-2\ndata: {\"type\":\"heartbeat\"}\n\n");
        await harness.NextMessageAsync();
        body.Fail();

        var (_, third) = await harness.SitOutReconnectDelayAsync();
        third.RespondStatus(HttpStatusCode.ServiceUnavailable);
        var (_, fourth) = await harness.SitOutReconnectDelayAsync();

        Assert.Null(first.LastEventId);
        Assert.Null(second.LastEventId);
        Assert.Equal("ev-2", third.LastEventId);
        Assert.Equal("ev-2", fourth.LastEventId); // a failed connect does not forget it
    }

    [Fact]
    public async Task The_latest_id_wins_across_messages()
    {
        await using var harness = new StreamHarness(random: 0.0);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        body.Send("id: 1\ndata: a\n\nid: 2\ndata: b\n\ndata: c\n\n");
        for (var i = 0; i < 3; i++)
        {
            await harness.NextMessageAsync();
        }

        body.Complete();

        var (_, next) = await harness.SitOutReconnectDelayAsync();
        Assert.Equal("2", next.LastEventId);
    }
}
