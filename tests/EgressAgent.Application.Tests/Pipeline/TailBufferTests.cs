using EgressAgent.Application.Results;

namespace EgressAgent.Application.Tests.Pipeline;

public sealed class TailBufferTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(7, 3)]
    [InlineData(10, 10)]
    [InlineData(11, 4)]
    [InlineData(95, 7)]
    [InlineData(95, 25)]
    [InlineData(95, 95)]
    public void It_holds_the_last_bytes_written_whatever_the_sizes_of_the_writes(int total, int chunk)
    {
        const int capacity = 10;
        var bytes = Enumerable.Range(0, total).Select(i => (byte)i).ToArray();
        using var tail = new TailBuffer(capacity);

        for (var at = 0; at < total; at += chunk)
        {
            tail.Write(bytes, at, Math.Min(chunk, total - at));
        }

        Assert.Equal(bytes.TakeLast(capacity), tail.ToArray());
        Assert.Equal(total <= capacity, tail.IsWhole);
    }
}
