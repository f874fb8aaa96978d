using System.Text;

namespace EgressAgent.Infrastructure.Tests.Stream;

/// <summary>
/// Contract §10 "Values from the server are bounded": a <c>retry:</c> above
/// Events:MaxReconnectDelay is clamped to it; an <c>id:</c> that cannot go back as a header value
/// is ignored and the last usable one kept; a connect that never answers is given up after the
/// idle timeout and retried.
/// </summary>
public sealed class SseServerValuesTests
{
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("999999999999", true)] // ~31 years: a timer rejects it
    [InlineData("10001", true)]
    [InlineData("9223372036854775807", false)] // long.MaxValue ms: no TimeSpan holds it, the parser drops it
    [InlineData("99999999999999999999999", false)] // not even a long
    public async Task A_retry_above_the_max_reconnect_delay_is_clamped_to_it(string retry, bool usable)
    {
        await using var harness = new StreamHarness(random: 0.0, maxReconnectDelay: Cap);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        body.Send($"retry: {retry}\ndata: {{\"type\":\"heartbeat\"}}\n\n");
        await harness.NextMessageAsync();
        body.Complete();

        var (delay, next) = await harness.SitOutReconnectDelayAsync();
        var after = next.RespondWithStream();
        after.Send("data: still-going\n\n");

        // Asked for more than the cap: the cap it is. A value nothing can hold leaves the default.
        Assert.Equal(usable ? Cap : TimeSpan.FromMilliseconds(250), delay);
        Assert.Equal("still-going", (await harness.NextMessageAsync()).Data);
    }

    [Fact]
    public async Task A_retry_within_the_cap_is_still_the_minimum()
    {
        await using var harness = new StreamHarness(random: 0.0, maxReconnectDelay: Cap);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        body.Send("retry: 10000\ndata: {\"type\":\"heartbeat\"}\n\n");
        await harness.NextMessageAsync();
        body.Complete();

        Assert.Equal(Cap, await harness.NextReconnectDelayAsync());
    }

    public static TheoryData<string, byte[]> UnsendableIds => new()
    {
        { "control character", Encoding.UTF8.GetBytes("ev\u0001-2") },
        { "escape", Encoding.UTF8.GetBytes("ev\u001b[31m-2") },
        { "delete", Encoding.UTF8.GetBytes("ev\u007f-2") },
        { "tab", Encoding.UTF8.GetBytes("ev\t2") },
        { "non-ASCII", Encoding.UTF8.GetBytes("év-2") },
        { "emoji", Encoding.UTF8.GetBytes("ev-\U0001F600") },
        { "lone surrogate (CESU bytes)", [(byte)'e', (byte)'v', 0xED, 0xA0, 0x80] },
        { "invalid UTF-8", [(byte)'e', (byte)'v', 0xFF, 0xFE] },
        { "trailing space", Encoding.UTF8.GetBytes("ev-2 ") },
        { "leading space", Encoding.UTF8.GetBytes("  ev-2") },
        { "too long", Encoding.UTF8.GetBytes(new string('i', 1025)) },
    };

    [Theory]
    [MemberData(nameof(UnsendableIds))]
    public async Task An_id_that_cannot_be_a_header_value_is_ignored_and_the_previous_one_kept(string what, byte[] id)
    {
        await using var harness = new StreamHarness(random: 0.0);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        body.Send("id: ev-1\ndata: first\n\n");
        body.Send([.. "id: "u8, .. id, .. "\ndata: second\n\n"u8]);
        body.Send("data: third\n\n");

        var first = await harness.NextMessageAsync();
        var second = await harness.NextMessageAsync();
        var third = await harness.NextMessageAsync();
        body.Complete();
        var (_, next) = await harness.SitOutReconnectDelayAsync();

        Assert.Equal(("first", "ev-1"), (first.Data, first.EventId));
        Assert.Equal("second", second.Data);
        Assert.Null(second.EventId);
        Assert.Equal("third", third.Data);
        Assert.Null(third.EventId);
        Assert.True(next.LastEventId == "ev-1", $"{what}: resumed with '{next.LastEventId}'");
    }

    [Fact]
    public async Task An_unsendable_id_as_the_first_id_means_no_Last_Event_ID_at_all()
    {
        await using var harness = new StreamHarness(random: 0.0);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        body.Send("id: bad\u0002id\ndata: first\n\n");
        await harness.NextMessageAsync();
        body.Complete();

        var (_, next) = await harness.SitOutReconnectDelayAsync();

        Assert.Null(next.LastEventId);
    }

    [Fact]
    public async Task An_id_of_printable_ASCII_up_to_1024_chars_is_sent_back()
    {
        var id = "a-Z_0.9:~!/" + new string('k', 1024 - 11);
        await using var harness = new StreamHarness(random: 0.0);
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();
        body.Send($"id: {id}\ndata: first\n\n");
        Assert.Equal(id, (await harness.NextMessageAsync()).EventId);
        body.Complete();

        var (_, next) = await harness.SitOutReconnectDelayAsync();

        Assert.Equal(id, next.LastEventId);
    }

    [Fact]
    public async Task A_connect_whose_headers_never_come_is_abandoned_after_the_idle_timeout_and_retried()
    {
        var idle = TimeSpan.FromSeconds(20);
        await using var harness = new StreamHarness(random: 0.0, idleTimeout: idle);
        var unanswered = await harness.Server.NextConnectionAsync();

        harness.Time.Advance(idle - TimeSpan.FromTicks(1));
        Assert.Equal(1, harness.Server.RequestCount);
        harness.Time.Advance(TimeSpan.FromTicks(1));
        var (delay, next) = await harness.SitOutReconnectDelayAsync();
        next.RespondWithStream().Send("data: connected\n\n");

        Assert.Equal("/prefix/stream", unanswered.Uri.AbsolutePath);
        Assert.Equal(TimeSpan.FromMilliseconds(250), delay);
        Assert.Equal("connected", (await harness.NextMessageAsync()).Data);
        Assert.Equal(1, harness.Counters.StreamReconnects);
        Assert.Equal([0, 0], harness.Server.OpenStreamsAtRequest);
    }
}
