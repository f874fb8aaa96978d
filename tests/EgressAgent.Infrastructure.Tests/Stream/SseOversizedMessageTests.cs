using EgressAgent.Infrastructure.Stream;

namespace EgressAgent.Infrastructure.Tests.Stream;

/// <summary>
/// A message may not grow without bound: the parser buffers a message whole, so a server that
/// never ends one would make the agent buffer forever. Past MaxMessageBytes the connection goes.
/// </summary>
public sealed class SseOversizedMessageTests
{
    private const int Chunk = 64 * 1024;

    [Fact]
    public async Task A_message_over_the_limit_drops_the_connection_after_reading_little_more_than_the_limit()
    {
        await using var harness = new StreamHarness(random: 0.0);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        var filler = new string('x', Chunk);

        // Feed one chunk at a time, only once the last one is consumed, so the test itself never
        // queues more than a chunk; stop at twice the limit.
        await body.SendAndWaitConsumedAsync("data: ");
        while (!body.IsDisposed && body.BytesRead < 2L * SseOrchestratorEventStream.MaxMessageBytes)
        {
            await body.SendAndWaitConsumedAsync(filler);
        }

        Assert.True(body.IsDisposed, "the connection should have been dropped");
        Assert.InRange(body.BytesRead, SseOrchestratorEventStream.MaxMessageBytes, SseOrchestratorEventStream.MaxMessageBytes + (2 * Chunk));
        Assert.False(harness.HasPendingMessage);

        // The stream goes on with a new connection.
        var (_, next) = await harness.SitOutReconnectDelayAsync();
        next.RespondWithStream().Send("data: after\n\n");
        Assert.Equal("after", (await harness.NextMessageAsync()).Data);
    }

    [Fact]
    public async Task A_large_message_under_the_limit_is_delivered_whole()
    {
        await using var harness = new StreamHarness(random: 0.0);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        var large = new string('y', SseOrchestratorEventStream.MaxMessageBytes / 2);

        body.Send("data: " + large + "\n\n");

        Assert.Equal(large, (await harness.NextMessageAsync()).Data);
        Assert.False(body.IsDisposed);
    }
}
