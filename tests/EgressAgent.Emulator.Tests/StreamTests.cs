using System.Net;
using System.Text.Json.Nodes;

namespace EgressAgent.Emulator.Tests;

public sealed class StreamTests : EmulatorTestBase
{
    [Fact]
    public async Task Stream_answers_event_stream_headers_and_delivers_events_with_ids()
    {
        using var stream = await OpenStreamAsync();

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(stream.Response.Headers.CacheControl?.NoCache);
        Assert.Equal(1, Emulator.OpenStreamCount);

        Emulator.SendEvent(new { type = "welcome", agent_id = "a-1" });
        Emulator.SendEvent(new JsonObject { ["type"] = "work_available" }, eventId: "custom");

        Assert.Equal(["id: 1", "data: {\"type\":\"welcome\",\"agent_id\":\"a-1\"}"], await stream.ReadMessageAsync(Bounded));
        Assert.Equal(["id: custom", "data: {\"type\":\"work_available\"}"], await stream.ReadMessageAsync(Bounded));

        var recorded = await Emulator.WaitForRequestAsync(r => r.Path == "/stream", Bounded);
        Assert.Equal(("GET", "text/event-stream", 200), (recorded.Method, recorded.Accept, recorded.StatusCode));
    }

    [Fact]
    public async Task Raw_data_comments_and_retry_are_framed_per_line()
    {
        Emulator.AssignEventIds = false;
        using var stream = await OpenStreamAsync();

        Emulator.SendRawData("not json\nsecond line");
        Emulator.SendComment();
        Emulator.SendRetry(1500);

        Assert.Equal(["data: not json", "data: second line"], await stream.ReadMessageAsync(Bounded));
        Assert.Equal([": ping"], await stream.ReadMessageAsync(Bounded));
        Assert.Equal(["retry: 1500"], await stream.ReadMessageAsync(Bounded));
    }

    [Fact]
    public async Task Raw_text_reaches_the_stream_exactly_as_given()
    {
        using var stream = await OpenStreamAsync();

        Emulator.SendRawText("retry: 999999999999\nid: a\u0001b\n\n");

        Assert.Equal(["retry: 999999999999", "id: a\u0001b"], await stream.ReadMessageAsync(Bounded));
    }

    [Fact]
    public async Task Targeted_event_reaches_only_that_instance()
    {
        using var first = await OpenStreamAsync("instance-1");
        using var second = await OpenStreamAsync("instance-2");

        Emulator.SendRawData("for-2", instanceId: "instance-2");
        Emulator.SendRawData("for-all");

        Assert.Equal(["id: 2", "data: for-all"], await first.ReadMessageAsync(Bounded));
        Assert.Equal(["id: 1", "data: for-2"], await second.ReadMessageAsync(Bounded));
        Assert.Equal(["id: 2", "data: for-all"], await second.ReadMessageAsync(Bounded));
    }

    [Fact]
    public async Task Reconnect_with_last_event_id_replays_only_later_events()
    {
        using (var stream = await OpenStreamAsync())
        {
            Emulator.SendRawData("one");
            Emulator.SendRawData("two");
            Assert.Equal(["id: 1", "data: one"], await stream.ReadMessageAsync(Bounded));
        }

        Emulator.SendRawData("three");
        Emulator.SendRawData("other instance", instanceId: "instance-2");

        using var resumed = await OpenStreamAsync(lastEventId: "1");
        Emulator.SendRawData("four");

        Assert.Equal(["id: 2", "data: two"], await resumed.ReadMessageAsync(Bounded));
        Assert.Equal(["id: 3", "data: three"], await resumed.ReadMessageAsync(Bounded));
        Assert.Equal(["id: 5", "data: four"], await resumed.ReadMessageAsync(Bounded));
        Assert.Equal("1", (await Emulator.WaitForRequestAsync(r => r.LastEventId is not null, Bounded)).LastEventId);
    }

    [Fact]
    public async Task Fresh_connection_without_last_event_id_gets_no_history()
    {
        Emulator.SendRawData("before");
        using var stream = await OpenStreamAsync();
        Emulator.SendRawData("after");

        Assert.Equal(["id: 2", "data: after"], await stream.ReadMessageAsync(Bounded));
    }

    [Fact]
    public async Task Close_streams_ends_the_response_after_queued_events()
    {
        using var stream = await OpenStreamAsync();

        Emulator.SendRawData("last");
        Emulator.CloseStreams();

        Assert.Equal(["id: 1", "data: last"], await stream.ReadMessageAsync(Bounded));
        Assert.Null(await stream.ReadMessageAsync(Bounded));

        using var again = await OpenStreamAsync();
        Assert.Equal(HttpStatusCode.OK, again.Response.StatusCode);
    }

    [Fact]
    public async Task Silent_stream_sends_headers_then_nothing()
    {
        Emulator.StreamSilent = true;
        var opening = OpenStreamAsync();
        using var stream = await opening.WaitAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);

        Emulator.SendRawData("swallowed");
        Emulator.SendComment();
        var buffer = new byte[1];
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.Body.ReadExactlyAsync(buffer, quiet.Token));

        Emulator.CloseStreams();
        var closed = await Emulator.WaitForRequestAsync(r => r.Path == "/stream", Bounded);
        Assert.Equal(200, closed.StatusCode);
    }

    [Fact]
    public async Task Concurrent_streams_are_counted_per_instance()
    {
        using (var first = await OpenStreamAsync("instance-1"))
        {
            using var second = await OpenStreamAsync("instance-1");
            using var other = await OpenStreamAsync("instance-2");
            Assert.Equal(3, Emulator.OpenStreamCount);
        }

        Assert.Equal(2, Emulator.MaxConcurrentStreams("instance-1"));
        Assert.Equal(1, Emulator.MaxConcurrentStreams("instance-2"));
        Assert.Equal(2, Emulator.MaxConcurrentStreamsSeen);
    }

    [Fact]
    public async Task Sequential_reconnects_do_not_count_as_overlap()
    {
        for (var i = 0; i < 5; i++)
        {
            using var stream = await OpenStreamAsync("instance-1");
            Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        }

        Assert.Equal(1, Emulator.MaxConcurrentStreams("instance-1"));
    }

    [Fact]
    public async Task Dispose_ends_open_streams_promptly()
    {
        using var stream = await OpenStreamAsync();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        await Emulator.DisposeAsync();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"dispose took {stopwatch.Elapsed}");
        Assert.Null(await stream.ReadMessageAsync(Bounded));
    }
}
