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

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
