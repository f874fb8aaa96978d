using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Tests.Execution;

/// <summary>Contract §10: numbers of the wrong type or out of range are an InvalidOperation naming the field and the range.</summary>
public sealed class OperationNumberFieldTests
{
    private static readonly IntegerField Count = new("count", 0, 100);
    private static readonly SecondsField Wait = new("wait", 60);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("100", 100)]
    [InlineData("7.0", 7)]
    [InlineData("5e1", 50)]
    [InlineData("-0", 0)]
    public void An_integer_in_range_is_read_however_it_is_written(string json, long expected)
    {
        Assert.Equal(expected, Count.ReadOptional(Operation("count", json)));
    }

    [Theory]
    [InlineData("-1", "-1")]
    [InlineData("101", "101")]
    [InlineData("1.5", "1.5")]
    [InlineData("1e400", "1e400")]
    [InlineData("99999999999999999999999", "99999999999999999999999")]
    [InlineData("\"10\"", "the string \"10\"")]
    [InlineData("true", "a boolean")]
    [InlineData("{\"n\":1}", "an object")]
    [InlineData("[1]", "an array")]
    public void Anything_else_is_an_invalid_operation_naming_the_field_the_range_and_the_value(string json, string described)
    {
        var error = Assert.Throws<OperationFailedException>(() => Count.ReadOptional(Operation("count", json)));

        Assert.Equal(ErrorKinds.InvalidOperation, error.Kind);
        Assert.Equal($"'count' must be an integer from 0 to 100, not {described}", error.Message);
    }

    [Fact]
    public void Absent_or_null_is_the_default_for_an_optional_field()
    {
        Assert.Null(Count.ReadOptional(new JsonObject()));
        Assert.Null(Count.ReadOptional(new JsonObject { ["count"] = null }));
        Assert.Equal(42, Count.Read(new JsonObject(), 42));
    }

    [Fact]
    public void Absent_or_null_is_an_error_for_a_required_field()
    {
        Assert.Equal("'count' must be an integer from 0 to 100, not missing", Assert.Throws<OperationFailedException>(() => Count.ReadRequired(new JsonObject())).Message);
        Assert.Equal("'count' must be an integer from 0 to 100, not null", Assert.Throws<OperationFailedException>(() => Count.ReadRequired(new JsonObject { ["count"] = null })).Message);
    }

    [Fact]
    public void A_value_built_in_code_reads_like_one_from_the_wire()
    {
        Assert.Equal(3, Count.ReadOptional(new JsonObject { ["count"] = 3 }));
        Assert.Equal(TimeSpan.FromSeconds(2.5), Wait.ReadOptional(new JsonObject { ["wait"] = 2.5 }));
    }

    [Theory]
    [InlineData("0.001", 1)]
    [InlineData("60", 60_000)]
    [InlineData("1e1", 10_000)]
    public void Seconds_above_zero_and_up_to_the_maximum_are_read_with_their_fraction(string json, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Wait.ReadOptional(Operation("wait", json)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("60.001")]
    [InlineData("1e400")]
    [InlineData("\"30\"")]
    [InlineData("false")]
    [InlineData("{}")]
    public void Seconds_of_the_wrong_type_or_out_of_range_are_an_invalid_operation(string json)
    {
        var error = Assert.Throws<OperationFailedException>(() => Wait.ReadOptional(Operation("wait", json)));

        Assert.Equal(ErrorKinds.InvalidOperation, error.Kind);
        Assert.StartsWith("'wait' must be a number of seconds above 0 and at most 60, not ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_operation_timeout_accepts_what_a_timer_can_wait_and_no_more()
    {
        Assert.Equal(TimeSpan.FromSeconds(SecondsField.TimerMaxSeconds), OperationFields.TimeoutOf(Operation("timeout", "4294967")));

        // The largest bound stays below the timer's own limit, where a cancellation source would throw.
        using var source = new CancellationTokenSource(TimeSpan.FromSeconds(SecondsField.TimerMaxSeconds));
        Assert.Throws<OperationFailedException>(() => OperationFields.TimeoutOf(Operation("timeout", "4294968")));
    }

    [Fact]
    public void A_response_size_limit_is_a_whole_number_of_bytes_from_one()
    {
        Assert.Equal(long.MaxValue, OperationFields.ResponseSizeLimitOf(Operation("response_size_limit_bytes", "9223372036854775807")));
        Assert.Null(OperationFields.ResponseSizeLimitOf(Operation("response_size_limit_bytes", "0"))); // 0 = no limit (protocol §12.1)
        Assert.Throws<OperationFailedException>(() => OperationFields.ResponseSizeLimitOf(Operation("response_size_limit_bytes", "-1")));
        Assert.Throws<OperationFailedException>(() => OperationFields.ResponseSizeLimitOf(Operation("response_size_limit_bytes", "100.5")));
        Assert.Throws<OperationFailedException>(() => OperationFields.ResponseSizeLimitOf(Operation("response_size_limit_bytes", "9223372036854775808")));
    }

    private static JsonObject Operation(string name, string valueJson) =>
        JsonNode.Parse($$"""{"{{name}}":{{valueJson}}}""")!.AsObject();
}
