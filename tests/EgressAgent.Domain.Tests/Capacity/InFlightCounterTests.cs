using EgressAgent.Domain.Capacity;

namespace EgressAgent.Domain.Tests.Capacity;

public sealed class InFlightCounterTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_rejects_a_capacity_below_one(int capacity)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InFlightCounter(capacity));
    }

    [Fact]
    public void TryReserve_takes_slots_until_capacity_then_refuses()
    {
        var counter = new InFlightCounter(2);

        Assert.True(counter.TryReserve());
        Assert.False(counter.IsSaturated);
        Assert.True(counter.TryReserve());
        Assert.True(counter.IsSaturated);
        Assert.False(counter.TryReserve());
        Assert.Equal(2, counter.InFlight);
    }

    [Fact]
    public void TryReserve_from_many_threads_never_exceeds_capacity()
    {
        const int capacity = 7;
        const int threads = 32;
        var counter = new InFlightCounter(capacity);
        var successes = 0;
        using var start = new Barrier(threads);

        RunOnThreads(threads, () =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 1_000; i++)
            {
                if (counter.TryReserve())
                {
                    Interlocked.Increment(ref successes);
                }
            }
        });

        Assert.Equal(capacity, successes);
        Assert.Equal(capacity, counter.InFlight);
    }

    [Fact]
    public void TryReserve_and_Release_racing_from_many_threads_keep_the_count_within_capacity()
    {
        const int capacity = 3;
        const int threads = 32;
        var counter = new InFlightCounter(capacity);
        var highest = 0;
        var reserved = 0;
        using var start = new Barrier(threads);

        RunOnThreads(threads, () =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 2_000; i++)
            {
                if (!counter.TryReserve())
                {
                    continue;
                }

                Interlocked.Increment(ref reserved);
                var seen = counter.InFlight;
                InterlockedMax(ref highest, seen);
                counter.Release();
            }
        });

        Assert.True(reserved > 0, "no thread ever reserved a slot");
        Assert.InRange(highest, 1, capacity);
        Assert.Equal(0, counter.InFlight);
    }

    [Fact]
    public void Admit_counts_work_past_capacity()
    {
        var counter = new InFlightCounter(2);
        counter.TryReserve();
        counter.TryReserve();

        counter.Admit();

        Assert.Equal(3, counter.InFlight);
        Assert.True(counter.IsSaturated);
        Assert.False(counter.TryReserve());
    }

    [Fact]
    public void Release_returns_true_only_for_the_release_that_leaves_saturation()
    {
        var counter = new InFlightCounter(3);
        for (var i = 0; i < 3; i++)
        {
            counter.TryReserve();
        }

        Assert.True(counter.Release());
        Assert.False(counter.Release());
        Assert.False(counter.Release());
        Assert.Equal(0, counter.InFlight);
    }

    [Fact]
    public void Release_from_above_capacity_returns_true_when_dropping_below_capacity()
    {
        var counter = new InFlightCounter(2);
        counter.TryReserve();
        counter.TryReserve();
        counter.Admit();
        counter.Admit();

        // 4 → 3 → 2 are still saturated; 2 → 1 frees a slot for the poller.
        Assert.False(counter.Release());
        Assert.False(counter.Release());
        Assert.True(counter.Release());
        Assert.False(counter.Release());
    }

    [Fact]
    public void Release_with_nothing_in_flight_throws()
    {
        var counter = new InFlightCounter(1);
        counter.TryReserve();
        counter.Release();

        Assert.Throws<InvalidOperationException>(() => counter.Release());
    }

    private static void RunOnThreads(int count, Action body)
    {
        var threads = Enumerable.Range(0, count).Select(_ => new Thread(() => body()) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        foreach (var thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "a worker thread did not finish");
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
