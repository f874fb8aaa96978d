using System.Text.Json;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Domain.Tests.Operations;

public sealed class OperationEnvelopeTests
{
    [Theory]
    [InlineData("""{"path":"/p","operation":{}}""")]
    [InlineData("""{"operation_id":"","path":"/p"}""")]
    [InlineData("""{"operation_id":5,"path":"/p"}""")]
    [InlineData("""{"operation_id":null,"path":"/p"}""")]
    [InlineData("""{"operation_id":["op-1"],"path":"/p"}""")]
    [InlineData("""{"operation_id":"op-1"}""")]
    [InlineData("""{"operation_id":"op-1","path":""}""")]
    [InlineData("""{"operation_id":"op-1","path":true}""")]
    [InlineData("""{"operation_id":"op-1","path":{"p":1}}""")]
    [InlineData("""[{"operation_id":"op-1","path":"/p"}]""")]
    [InlineData("\"op-1\"")]
    [InlineData("null")]
    public void TryRead_without_a_non_empty_string_id_and_path_returns_null(string json)
    {
        Assert.Null(OperationEnvelope.TryRead(Parse(json)));
    }

    [Fact]
    public void TryRead_reads_id_path_and_operation_object()
    {
        var envelope = OperationEnvelope.TryRead(Parse("""{"operation_id":"op-1","path":"/p","operation":{"a":1}}"""));

        Assert.NotNull(envelope);
        Assert.Equal("op-1", envelope.OperationId);
        Assert.Equal("/p", envelope.Path);
        Assert.Equal(1, envelope.Operation.GetProperty("a").GetInt32());
    }

    [Theory]
    [InlineData("""{"operation_id":"op-1","path":"/p"}""")]
    [InlineData("""{"operation_id":"op-1","path":"/p","operation":null}""")]
    [InlineData("""{"operation_id":"op-1","path":"/p","operation":5}""")]
    [InlineData("""{"operation_id":"op-1","path":"/p","operation":"text"}""")]
    [InlineData("""{"operation_id":"op-1","path":"/p","operation":[1,2]}""")]
    public void TryRead_with_a_missing_or_non_object_operation_gives_an_empty_object(string json)
    {
        var envelope = OperationEnvelope.TryRead(Parse(json));

        Assert.NotNull(envelope);
        Assert.Equal(JsonValueKind.Object, envelope.Operation.ValueKind);
        Assert.Empty(envelope.Operation.EnumerateObject());
    }

    [Fact]
    public void TryRead_result_outlives_the_parsed_document()
    {
        // The poller disposes the E1 document; the envelope is read later by a worker.
        OperationEnvelope? envelope;
        using (var document = JsonDocument.Parse("""{"operation_id":"op-1","path":"/p","operation":{"trace_id":"t-1"}}"""))
        {
            envelope = OperationEnvelope.TryRead(document.RootElement);
        }

        Assert.NotNull(envelope);
        Assert.Equal("t-1", envelope.TraceId);
    }

    [Theory]
    [InlineData("""{"__mcd_size_exceeded__":true}""", true)]
    [InlineData("""{"__mcd_size_exceeded__":false}""", false)]
    [InlineData("""{"__mcd_size_exceeded__":"true"}""", false)]
    [InlineData("""{"__mcd_size_exceeded__":1}""", false)]
    [InlineData("""{}""", false)]
    public void IsOversized_only_when_the_marker_is_json_true(string operation, bool expected)
    {
        var envelope = OperationEnvelope.TryRead(Parse($$"""{"operation_id":"op-1","path":"/p","operation":{{operation}}}"""));

        Assert.NotNull(envelope);
        Assert.Equal(expected, envelope.IsOversized);
    }

    [Theory]
    [InlineData("""{"trace_id":"t-1"}""", "t-1")]
    [InlineData("""{"trace_id":""}""", "op-1")]
    [InlineData("""{"trace_id":42}""", "op-1")]
    [InlineData("""{"trace_id":null}""", "op-1")]
    [InlineData("""{}""", "op-1")]
    public void TraceId_is_the_operation_trace_id_else_the_operation_id(string operation, string expected)
    {
        var envelope = OperationEnvelope.TryRead(Parse($$"""{"operation_id":"op-1","path":"/p","operation":{{operation}}}"""));

        Assert.NotNull(envelope);
        Assert.Equal(expected, envelope.TraceId);
    }

    [Fact]
    public void TraceIdOf_a_non_object_is_null()
    {
        Assert.Null(OperationEnvelope.TraceIdOf(Parse("[\"t-1\"]")));
    }

    [Theory]
    [InlineData("""{"operation_id":"op\ud800","path":"/p"}""")]
    [InlineData("""{"operation_id":"\udc00","path":"/p"}""")]
    [InlineData("""{"operation_id":"op-1","path":"/p\ud800"}""")]
    public void TryRead_skips_an_id_or_path_that_is_not_valid_unicode(string json)
    {
        Assert.Null(OperationEnvelope.TryRead(Parse(json)));
    }

    [Fact]
    public void TryRead_is_not_thrown_off_by_a_top_level_name_that_is_not_valid_unicode()
    {
        var envelope = OperationEnvelope.TryRead(Parse("""{"\udc00":1,"operation_id":"op-1","path":"/p","operation":{"a":1}}"""));

        Assert.NotNull(envelope);
        Assert.Equal(("op-1", "/p"), (envelope.OperationId, envelope.Path));
    }

    [Fact]
    public void TryRead_repairs_the_operation_body_so_every_reader_can_use_it()
    {
        var envelope = OperationEnvelope.TryRead(Parse("""{"operation_id":"op-1","path":"/p","operation":{"trace_id":"t\ud800","k\udc00":["\ud800"]}}"""));

        Assert.NotNull(envelope);
        Assert.Equal("t\uFFFD", envelope.TraceId);
        Assert.Equal("\uFFFD", envelope.Operation.GetProperty("k\uFFFD")[0].GetString());
        Assert.Contains("\\uFFFD", System.Text.Json.Nodes.JsonObject.Create(envelope.Operation)!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TraceIdOf_an_unrepaired_body_replaces_instead_of_throwing()
    {
        Assert.Equal("\uFFFDx", OperationEnvelope.TraceIdOf(Parse("""{"trace_id":"\ud800x"}""")));
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
