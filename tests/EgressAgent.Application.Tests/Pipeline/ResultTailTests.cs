using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Tests.Pipeline;

/// <summary>What a 413 replacement reads from a stored result's end: its trace id and error kind.</summary>
public sealed class ResultTailTests
{
    [Fact]
    public async Task A_small_failure_gives_its_trace_id_and_error_kind()
    {
        var tail = await ReadAsync(OperationResult.Failure("too big", ErrorKinds.ResultTooLarge, "t-1").ToJson());

        Assert.Equal(new ResultTail("t-1", ErrorKinds.ResultTooLarge), tail);
    }

    [Fact]
    public async Task A_success_has_a_trace_id_and_no_error_kind()
    {
        var tail = await ReadAsync(OperationResult.Success(new JsonObject { ["n"] = 1 }, "t-2").ToJson());

        Assert.Equal(new ResultTail("t-2", null), tail);
    }

    [Fact]
    public async Task A_result_larger_than_the_tail_gives_the_top_level_trace_id_not_one_inside_the_payload()
    {
        var payload = new JsonObject
        {
            [OperationResult.TraceIdKey] = "decoy-before",
            ["blob"] = new string('x', ResultTail.Capacity * 3),
            ["last"] = new JsonObject { [OperationResult.TraceIdKey] = "decoy-inside" },
        };

        var tail = await ReadAsync(OperationResult.Success(payload, "t-\"quoted\"-é-\u2603").ToJson());

        Assert.Equal("t-\"quoted\"-é-\u2603", tail.TraceId);
        Assert.Null(tail.ErrorKind);
    }

    [Fact]
    public async Task A_large_result_without_a_trace_id_at_its_end_gives_none()
    {
        var result = new JsonObject { [OperationResult.ResultKey] = new string('y', ResultTail.Capacity * 2) };

        Assert.Equal(new ResultTail(null, null), await ReadAsync(result));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"__mcd_trace_id__\": 42}")]
    public async Task A_body_that_is_not_a_result_object_gives_nothing(string json)
    {
        Assert.Equal(new ResultTail(null, null), await ResultTail.ReadAsync(new TextBody(json), CancellationToken.None));
    }

    private static Task<ResultTail> ReadAsync(JsonObject result) => ResultTail.ReadAsync(new JsonResultBody(result), CancellationToken.None);

    private sealed class TextBody(string text) : IResultBody
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(text);

        public long Length => _bytes.Length;

        public Task CopyToAsync(Stream destination, CancellationToken cancellationToken) => destination.WriteAsync(_bytes, cancellationToken).AsTask();
    }
}
