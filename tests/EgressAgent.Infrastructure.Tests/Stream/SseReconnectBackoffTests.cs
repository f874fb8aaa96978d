using System.Net;

namespace EgressAgent.Infrastructure.Tests.Stream;

/// <summary>
/// Contract §4 reconnect delays: drawn between the minimum (server's retry:, else 250 ms) and a
/// ceiling of 1 s doubling per failed attempt up to Events:MaxReconnectDelay. Random is pinned:
/// 1.0 draws the ceiling, 0.0 the minimum, so each delay is exact.
/// </summary>
public sealed class SseReconnectBackoffTests
{
    [Fact]
    public async Task Consecutive_failed_connects_wait_under_a_ceiling_doubling_from_1s_to_the_cap()
    {
        await using var harness = new StreamHarness(random: 1.0, maxReconnectDelay: TimeSpan.FromSeconds(10));
        (await harness.Server.NextConnectionAsync()).RespondStatus(HttpStatusCode.ServiceUnavailable);

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            var (delay, next) = await harness.SitOutReconnectDelayAsync();
            delays.Add(delay);
            next.RespondStatus(HttpStatusCode.ServiceUnavailable);
        }

        Assert.Equal(new[] { 1, 2, 4, 8, 10, 10 }.Select(s => TimeSpan.FromSeconds(s)), delays);
        Assert.Equal(7, harness.Server.RequestCount);
    }

    [Fact]
    public async Task The_ceiling_resets_after_a_connection_that_delivered_a_message()
    {
        await using var harness = new StreamHarness(random: 1.0);
        (await harness.Server.NextConnectionAsync()).RespondStatus(HttpStatusCode.ServiceUnavailable);
        var (first, second) = await harness.SitOutReconnectDelayAsync();
        second.RespondStatus(HttpStatusCode.BadGateway);
        var (secondDelay, third) = await harness.SitOutReconnectDelayAsync();

        var body = third.RespondWithStream();
        body.Send("data: {\"type\":\"heartbeat\"}\n\n");
        await harness.NextMessageAsync();
        body.Complete();
        var (afterMessage, fourth) = await harness.SitOutReconnectDelayAsync();
        fourth.RespondStatus(HttpStatusCode.ServiceUnavailable);
        var (thenDoubling, _) = await harness.SitOutReconnectDelayAsync();

        Assert.Equal(TimeSpan.FromSeconds(1), first);
        Assert.Equal(TimeSpan.FromSeconds(2), secondDelay);
        Assert.Equal(TimeSpan.FromSeconds(1), afterMessage);
        Assert.Equal(TimeSpan.FromSeconds(2), thenDoubling);
    }

    [Fact]
    public async Task A_connection_that_ends_without_a_message_keeps_doubling_the_ceiling()
    {
        await using var harness = new StreamHarness(random: 1.0);
        (await harness.Server.NextConnectionAsync()).RespondStatus(HttpStatusCode.ServiceUnavailable);
        var (_, second) = await harness.SitOutReconnectDelayAsync();
        second.RespondStatus(HttpStatusCode.ServiceUnavailable);
        var (_, third) = await harness.SitOutReconnectDelayAsync();

        // Accepted, but closed before any message: as failed as a 503 for the ceiling.
        third.RespondWithStream().Complete();

        Assert.Equal(TimeSpan.FromSeconds(4), await harness.NextReconnectDelayAsync());
    }

    [Fact]
    public async Task A_clean_close_by_the_server_waits_the_default_minimum_of_250ms_before_reconnecting()
    {
        await using var harness = new StreamHarness(random: 0.0);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        body.Send("data: {\"type\":\"heartbeat\"}\n\n");
        await harness.NextMessageAsync();

        body.Complete();

        // SitOut checks that nothing reconnects a tick before the delay ends.
        var (delay, _) = await harness.SitOutReconnectDelayAsync();
        Assert.Equal(TimeSpan.FromMilliseconds(250), delay);
    }

    [Theory]
    [InlineData(5000)]
    [InlineData(100)]
    public async Task The_servers_retry_field_is_the_minimum_delay_from_then_on(int retryMs)
    {
        await using var harness = new StreamHarness(random: 0.0);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        body.Send($"retry: {retryMs}\ndata: {{\"type\":\"heartbeat\"}}\n\n");
        await harness.NextMessageAsync();
        body.Complete();

        var (afterClose, next) = await harness.SitOutReconnectDelayAsync();
        next.RespondStatus(HttpStatusCode.ServiceUnavailable);
        var (afterFailure, _) = await harness.SitOutReconnectDelayAsync();

        Assert.Equal(TimeSpan.FromMilliseconds(retryMs), afterClose);
        Assert.Equal(TimeSpan.FromMilliseconds(retryMs), afterFailure);
    }

    [Fact]
    public async Task A_retry_field_sent_before_the_server_closes_is_honoured_even_without_a_message()
    {
        await using var harness = new StreamHarness(random: 0.0);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();

        // A server that asks for a longer pause and hangs up (e.g. going down for maintenance).
        body.Send("retry: 5000\n\n");
        body.Complete();

        Assert.Equal(TimeSpan.FromSeconds(5), await harness.NextReconnectDelayAsync());
    }

    [Fact]
    public async Task The_server_retry_field_raises_the_delay_above_a_smaller_ceiling()
    {
        await using var harness = new StreamHarness(random: 1.0);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        body.Send("retry: 3000\ndata: {\"type\":\"heartbeat\"}\n\n");
        await harness.NextMessageAsync();
        body.Complete();

        // The ceiling is back at 1 s after the message, but the minimum wins.
        Assert.Equal(TimeSpan.FromSeconds(3), await harness.NextReconnectDelayAsync());
    }
}
