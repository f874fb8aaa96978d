using EgressAgent.Infrastructure.Logging;

namespace EgressAgent.Infrastructure.Tests.Executors.Logs;

/// <summary>The in-memory log: bounded, the most recent records, oldest first.</summary>
public sealed class LogRingBufferTests
{
    [Fact]
    public void Latest_returns_the_most_recent_records_oldest_first()
    {
        var buffer = Fill(new LogRingBuffer(10), 5);

        Assert.Equal(["m2", "m3", "m4"], buffer.Latest(3).Select(r => r.Message));
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], buffer.Latest(100).Select(r => r.Message));
    }

    [Fact]
    public void Once_full_each_record_replaces_the_oldest_and_the_buffer_never_grows()
    {
        var buffer = Fill(new LogRingBuffer(4), 11);

        Assert.Equal(["m7", "m8", "m9", "m10"], buffer.Latest(100).Select(r => r.Message));
        Assert.Equal(4, buffer.Capacity);
    }

    [Fact]
    public void An_empty_buffer_or_a_zero_limit_returns_nothing()
    {
        Assert.Empty(new LogRingBuffer(4).Latest(10));
        Assert.Empty(Fill(new LogRingBuffer(4), 2).Latest(0));
    }

    [Fact]
    public void The_default_capacity_bounds_memory_at_five_thousand_records()
    {
        var buffer = Fill(new LogRingBuffer(), 6_000);

        Assert.Equal(5_000, buffer.Latest(int.MaxValue).Count);
        Assert.Equal("m1000", buffer.Latest(int.MaxValue)[0].Message);
    }

    [Fact]
    public async Task Concurrent_writers_lose_no_record_below_capacity()
    {
        var buffer = new LogRingBuffer(4_000);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                buffer.Add(new LogRecord(DateTimeOffset.UnixEpoch, "Information", "c", $"w{w}-{i}", null));
            }
        }))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(4_000, buffer.Latest(int.MaxValue).Select(r => r.Message).Distinct().Count());
    }

    private static LogRingBuffer Fill(LogRingBuffer buffer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            buffer.Add(new LogRecord(DateTimeOffset.UnixEpoch.AddSeconds(i), "Information", "test", $"m{i}", null));
        }

        return buffer;
    }
}
