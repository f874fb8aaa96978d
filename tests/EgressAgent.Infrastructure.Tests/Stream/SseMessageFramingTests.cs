namespace EgressAgent.Infrastructure.Tests.Stream;

/// <summary>Contract §4: SSE framing on the wire becomes StreamMessage(data, id).</summary>
public sealed class SseMessageFramingTests
{
    [Fact]
    public async Task Data_lines_come_out_as_messages_with_their_ids_whatever_the_line_ends()
    {
        await using var harness = new StreamHarness();
        var connection = await harness.Server.NextConnectionAsync();
        var body = connection.RespondWithStream();

        body.Send("data: {\"type\":\"welcome\",\"agent_id\":\"a-1\"}\n\n");
        body.Send("id: 7\r\ndata: first line\r\ndata: second line\r\n\r\n");
        body.Send("event: ignored-by-the-agent\ndata: plain\n\n");
        body.Send(": a comment is not a message\ndata: after comment\n\n");
        // A lone CR is a line end too, but the parser can only tell it is not the start of CRLF
        // once the next byte arrives: the keep-alive comment after it releases the message.
        body.Send("id: 8\rdata: cr only\r\r");
        body.Send(": keep-alive\n");

        var welcome = await harness.NextMessageAsync();
        Assert.Equal("{\"type\":\"welcome\",\"agent_id\":\"a-1\"}", welcome.Data);
        Assert.Null(welcome.EventId);

        var joined = await harness.NextMessageAsync();
        Assert.Equal("first line\nsecond line", joined.Data);
        Assert.Equal("7", joined.EventId);

        Assert.Equal("plain", (await harness.NextMessageAsync()).Data);
        Assert.Equal("after comment", (await harness.NextMessageAsync()).Data);

        var carriageReturns = await harness.NextMessageAsync();
        Assert.Equal("cr only", carriageReturns.Data);
        Assert.Equal("8", carriageReturns.EventId);
    }

    [Fact]
    public async Task A_message_split_across_reads_mid_line_and_mid_CRLF_is_reassembled()
    {
        await using var harness = new StreamHarness();
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();

        // Each Send is a separate read on the agent's side: the splits fall inside "data", between CR and LF, and between the two line ends.
        body.Send("da");
        body.Send("ta: one\r");
        body.Send("\ndata: two\r\n");
        body.Send("\r");
        body.Send("\n");

        Assert.Equal("one\ntwo", (await harness.NextMessageAsync()).Data);
    }

    [Fact]
    public async Task The_stream_request_asks_for_event_stream_at_the_base_url_path()
    {
        await using var harness = new StreamHarness();
        var connection = await harness.Server.NextConnectionAsync();

        Assert.Equal("/prefix/stream", connection.Uri.AbsolutePath);
        Assert.Contains("text/event-stream", connection.Accept, StringComparison.Ordinal);
        connection.RespondWithStream();
    }
}
