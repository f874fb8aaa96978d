using System.Text;
using System.Text.Json;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>The writer path of <see cref="WireValues"/> renders exactly what the node path renders (rows use the writer).</summary>
public sealed class WireValuesWriteTests
{
    public static TheoryData<object?> Values => new()
    {
        null, DBNull.Value, "text", true, 42, 42L, (short)7, (byte)8, (sbyte)-8, (ushort)9, 10u, ulong.MaxValue, 1.5, double.NaN, 2.5f, 'c',
        12.340m, new DateTime(2024, 1, 5, 10, 0, 0, DateTimeKind.Utc), new DateTime(2024, 1, 5, 10, 0, 0, DateTimeKind.Unspecified),
        new DateTimeOffset(2024, 1, 5, 10, 0, 0, TimeSpan.FromHours(2)), new DateOnly(2024, 2, 29), new TimeOnly(10, 11, 12),
        TimeSpan.FromMinutes(90), new byte[] { 0, 1, 255 }, Guid.Parse("7f9c8e2a-1111-2222-3333-444455556666"), new[] { 1, 2, 3 },
        new[] { "a", null }, new System.Numerics.BigInteger(12345678901234567890m),
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Write_renders_the_same_json_as_ToJson(object? value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WireValues.Write(writer, value);
        }

        var expected = WireValues.ToJson(value)?.ToJsonString() ?? "null";
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>The exact wire text, pinned: comparing the two paths alone would let both drift together.</summary>
    public static TheoryData<object, string> Pinned => new()
    {
        { Guid.Parse("7f9c8e2a-1111-2222-3333-444455556666"), "\"7f9c8e2a-1111-2222-3333-444455556666\"" },
        { TimeSpan.FromMinutes(90), "\"01:30:00\"" },
        { new TimeSpan(1, 2, 3, 4, 5), "\"1.02:03:04.0050000\"" },
        { new TimeOnly(10, 11, 12), """{"__type__":"time","__data__":"10:11:12"}""" },
        { new TimeOnly(10, 11, 12, 250), """{"__type__":"time","__data__":"10:11:12.250000"}""" },
        { new DateTimeOffset(2024, 1, 5, 10, 0, 0, TimeSpan.FromHours(2)), """{"__type__":"datetime","__data__":"2024-01-05T10:00:00\u002B02:00"}""" },
        { new DateTimeOffset(2024, 1, 5, 10, 0, 0, TimeSpan.FromMinutes(-330)), """{"__type__":"datetime","__data__":"2024-01-05T10:00:00-05:30"}""" },
        { new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc), """{"__type__":"datetime","__data__":"2024-05-01T12:00:00\u002B00:00"}""" },
        { new DateTime(2024, 5, 1, 12, 0, 0, 123, DateTimeKind.Unspecified), """{"__type__":"datetime","__data__":"2024-05-01T12:00:00.123000"}""" },
        { new DateTime(2024, 5, 1, 12, 0, 0, 0, 5, DateTimeKind.Unspecified), """{"__type__":"datetime","__data__":"2024-05-01T12:00:00.000005"}""" },
        { new DateOnly(2024, 5, 1), """{"__type__":"date","__data__":"2024-05-01"}""" },
        { 10.50m, """{"__type__":"decimal","__data__":"10.50"}""" },
        { new byte[] { 1, 2, 255 }, """{"__type__":"bytes","__data__":"AQL/"}""" },
        { new System.Numerics.BigInteger(12345678901234567890m), "\"12345678901234567890\"" },
        { double.NaN, "\"NaN\"" },
        { double.PositiveInfinity, "\"Infinity\"" },
        { float.NegativeInfinity, "\"-Infinity\"" },
        { 'c', "\"c\"" },
    };

    [Theory]
    [MemberData(nameof(Pinned))]
    public void Write_renders_the_pinned_wire_text(object value, string expected)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WireValues.Write(writer, value);
        }

        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
        Assert.Equal(expected, WireValues.ToJson(value)!.ToJsonString());
    }

    [Theory]
    [InlineData(12.5, "decimal", "12.5")]
    public void Decimals_are_tagged_with_their_exact_text(double value, string type, string data)
    {
        var node = WireValues.ToJson((decimal)value)!;

        Assert.Equal(type, node["__type__"]!.GetValue<string>());
        Assert.Equal(data, node["__data__"]!.GetValue<string>());
    }

    [Fact]
    public void Arrays_become_json_arrays_of_their_converted_items()
    {
        Assert.Equal("""[{"__type__":"date","__data__":"2024-01-02"},null]""", WireValues.ToJson(new object?[] { new DateOnly(2024, 1, 2), null })!.ToJsonString());
    }
}
