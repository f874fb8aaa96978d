using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Domain.Tests.Operations;

public sealed class OperationResultTests
{
    [Fact]
    public void Success_ToJson_holds_the_payload_and_the_trace_id()
    {
        var result = OperationResult.Success(new JsonObject { ["rows"] = 3 }, "t-1");

        Assert.Equal("""{"__mcd_result__":{"rows":3},"__mcd_trace_id__":"t-1"}""", result.ToJson().ToJsonString());
    }

    [Fact]
    public void Success_with_a_null_payload_keeps_the_result_key_with_null()
    {
        var json = OperationResult.Success(null, "t-1").ToJson();

        Assert.True(json.ContainsKey(OperationResult.ResultKey));
        Assert.Null(json[OperationResult.ResultKey]);
        Assert.Equal("""{"__mcd_result__":null,"__mcd_trace_id__":"t-1"}""", json.ToJsonString());
    }

    [Fact]
    public void Success_ToJson_can_be_called_twice_and_is_independent_of_the_payload()
    {
        // A JsonNode has one parent: without a copy the second call would throw.
        var payload = new JsonObject { ["a"] = 1 };
        var result = OperationResult.Success(payload, "t-1");

        var first = result.ToJson();
        payload["a"] = 2;
        var second = result.ToJson();

        Assert.Equal(1, first[OperationResult.ResultKey]!["a"]!.GetValue<int>());
        Assert.Equal(2, second[OperationResult.ResultKey]!["a"]!.GetValue<int>());
    }

    [Fact]
    public void Failure_ToJson_holds_message_kind_and_trace_id()
    {
        var result = OperationResult.Failure("boom", ErrorKinds.Timeout, "t-1");

        Assert.Equal(
            """{"__mcd_error__":"boom","__mcd_error_type__":"TimeoutError","__mcd_trace_id__":"t-1"}""",
            result.ToJson().ToJsonString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Failure_with_an_empty_message_says_unknown_error_and_the_kind(string? message)
    {
        var json = OperationResult.Failure(message, "SomeKind", "t-1").ToJson();

        Assert.Equal("Unknown error: SomeKind", json[OperationResult.ErrorKey]!.GetValue<string>());
        Assert.Equal("SomeKind", json[OperationResult.ErrorTypeKey]!.GetValue<string>());
    }

    [Fact]
    public void Failure_keeps_the_trace_id_on_the_record()
    {
        var result = OperationResult.Failure("boom", "Kind", "t-9");

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal("t-9", failed.TraceId);
        Assert.Equal("boom", failed.Message);
        Assert.Equal("Kind", failed.Kind);
    }
}
