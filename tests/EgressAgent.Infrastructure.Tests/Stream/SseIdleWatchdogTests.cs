namespace EgressAgent.Infrastructure.Tests.Stream;

/// <summary>
/// Contract §4: a connection silent for Events:IdleTimeout is replaced; every byte received,
/// comments included, is activity (servers and proxies keep streams alive with comments).
/// </summary>
public sealed class SseIdleWatchdogTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_connection_silent_for_the_idle_timeout_is_dropped_and_replaced()
    {
        await using var harness = new StreamHarness(random: 0.0, idleTimeout: Idle);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        await body.WaitReadingAsync(); // silence on an established connection, not a slow connect

        harness.Time.Advance(Idle - TimeSpan.FromTicks(1));
        Assert.False(body.IsDisposed);

        harness.Time.Advance(TimeSpan.FromTicks(1));
        await body.WaitDisposedAsync();
        var (delay, next) = await harness.SitOutReconnectDelayAsync();

        Assert.Equal(TimeSpan.FromMilliseconds(250), delay);
        Assert.Equal("/prefix/stream", next.Uri.AbsolutePath);
        Assert.Equal(1, harness.Counters.StreamReconnects);
    }

    [Fact]
    public async Task Comment_lines_every_half_idle_timeout_keep_the_connection()
    {
        await using var harness = new StreamHarness(random: 0.0, idleTimeout: Idle);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();

        for (var i = 0; i < 10; i++)
        {
            await body.SendAndWaitConsumedAsync(": ping\n");
            harness.Time.Advance(Idle / 2);
        }

        // Proof the connection is alive rather than not yet torn down: it still delivers.
        body.Send("data: alive\n\n");
        Assert.Equal("alive", (await harness.NextMessageAsync()).Data);
        Assert.False(body.IsDisposed);
        Assert.Equal(1, harness.Server.RequestCount);

        // The watchdog was armed all along: once the server goes quiet, the connection goes.
        harness.Time.Advance(Idle);
        await body.WaitDisposedAsync();
    }

    [Fact]
    public async Task A_message_resets_the_idle_timeout_too()
    {
        await using var harness = new StreamHarness(random: 0.0, idleTimeout: Idle);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();

        harness.Time.Advance(Idle * 0.8);
        body.Send("data: {\"type\":\"heartbeat\"}\n\n");
        await harness.NextMessageAsync();
        await body.SendAndWaitConsumedAsync(string.Empty); // the reader is back waiting for bytes
        harness.Time.Advance(Idle * 0.8);

        body.Send("data: alive\n\n");
        Assert.Equal("alive", (await harness.NextMessageAsync()).Data);
        Assert.False(body.IsDisposed);
        Assert.Equal(1, harness.Server.RequestCount);
    }
}
