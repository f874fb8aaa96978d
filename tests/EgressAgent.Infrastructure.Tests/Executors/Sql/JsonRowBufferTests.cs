using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Infrastructure.Executors.Sql;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>Rows kept as compact JSON read back exactly as written, wherever the result is serialised.</summary>
public sealed class JsonRowBufferTests
{
    [Fact]
    public void Rows_serialise_as_an_array_of_arrays_in_the_order_added()
    {
        using var rows = Build(["a", 1L], ["line\nfeed \"quoted\"", null], [true, 2.5]);

        Assert.Equal("""[["a",1],["line\nfeed \u0022quoted\u0022",null],[true,2.5]]""", rows.ToJsonValue().ToJsonString());
        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public void No_rows_serialise_as_an_empty_array()
    {
        using var rows = new JsonRowBuffer();

        Assert.Equal("[]", rows.ToJsonValue().ToJsonString());
    }

    [Fact]
    public void Rows_larger_than_a_chunk_and_many_rows_across_chunks_survive_intact()
    {
        var big = new string('x', 200_000);
        using var rows = new JsonRowBuffer();
        for (var i = 0; i < 20_000; i++)
        {
            var writer = rows.BeginRow();
            writer.WriteNumberValue(i);
            writer.WriteStringValue(i == 7 ? big : "v");
            rows.EndRow();
        }

        var parsed = JsonNode.Parse(rows.ToJsonValue().ToJsonString())!.AsArray();

        Assert.Equal(20_000, parsed.Count);
        Assert.Equal(Enumerable.Range(0, 20_000), parsed.Select(r => r![0]!.GetValue<int>()));
        Assert.Equal(big, parsed[7]![1]!.GetValue<string>());
    }

    [Fact]
    public void Past_the_spill_threshold_rows_move_to_a_file_and_read_back_the_same_every_time()
    {
        var huge = new string('h', 300_000); // longer than the read buffer: carried across reads
        using var spilled = new JsonRowBuffer(spillThreshold: 1024);
        using var inMemory = new JsonRowBuffer(spillThreshold: int.MaxValue);
        foreach (var rows in new[] { spilled, inMemory })
        {
            for (var i = 0; i < 5_000; i++)
            {
                var writer = rows.BeginRow();
                writer.WriteNumberValue(i);
                writer.WriteStringValue(i == 4_321 ? huge : $"value-{i}");
                rows.EndRow();
            }
        }

        var expected = inMemory.ToJsonValue().ToJsonString();

        Assert.True(spilled.Spilled);
        Assert.False(inMemory.Spilled);
        Assert.Equal(expected, spilled.ToJsonValue().ToJsonString());
        Assert.Equal(expected, spilled.ToJsonValue().ToJsonString()); // a second write (size check, then outbox) sees it all again
        Assert.Equal(inMemory.ByteCount, spilled.ByteCount);
    }

    [Fact]
    public void Spilled_rows_leave_no_file_behind()
    {
        var before = Directory.EnumerateFiles(Path.GetTempPath(), "egress-agent-rows-*").Count();
        using var rows = new JsonRowBuffer(spillThreshold: 16);
        for (var i = 0; i < 100; i++)
        {
            rows.BeginRow().WriteNumberValue(i);
            rows.EndRow();
        }

        Assert.True(rows.Spilled);
        Assert.Equal(before, Directory.EnumerateFiles(Path.GetTempPath(), "egress-agent-rows-*").Count());
        Assert.Equal(100, JsonNode.Parse(rows.ToJsonValue().ToJsonString())!.AsArray().Count);
    }

    /// <summary>
    /// Spilled rows are query data: the file is created <c>0600</c> (the mode given at
    /// <c>open(2)</c>, whatever the umask; docs/protocol.md §10 "Files") and unlinked at once, so
    /// its mode is read through the handle that keeps it.
    /// </summary>
    [Fact]
    public void Spilled_rows_are_in_a_file_readable_and_writable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only
        }

        using var rows = new JsonRowBuffer(spillThreshold: 16);
        for (var i = 0; i < 100; i++)
        {
            rows.BeginRow().WriteNumberValue(i);
            rows.EndRow();
        }

        Assert.True(rows.Spilled);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(rows.SpillHandle!));
    }

    [Fact]
    public void Written_inside_a_result_the_rows_go_straight_to_the_writer_and_parse_back_equal()
    {
        using var rows = Build([1L, "x"], [2L, "y"]);
        var result = new JsonObject { ["rows"] = rows.ToJsonValue(), ["row_count"] = 2 };
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            result.WriteTo(writer);
        }

        Assert.Equal("""{"rows":[[1,"x"],[2,"y"]],"row_count":2}""", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void The_byte_count_is_the_rows_json_size()
    {
        using var rows = Build([1L], [22L]);

        Assert.Equal("[1]".Length + "[22]".Length, rows.ByteCount);
    }

    private static JsonRowBuffer Build(params object?[][] values)
    {
        var rows = new JsonRowBuffer();
        foreach (var row in values)
        {
            var writer = rows.BeginRow();
            foreach (var value in row)
            {
                EgressAgent.Application.Execution.WireValues.Write(writer, value);
            }

            rows.EndRow();
        }

        return rows;
    }
}
