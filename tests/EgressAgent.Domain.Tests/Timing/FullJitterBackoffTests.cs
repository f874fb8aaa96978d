using EgressAgent.Domain.Timing;

namespace EgressAgent.Domain.Tests.Timing;

public sealed class FullJitterBackoffTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void NextDelay_ceiling_starts_at_one_second_and_doubles_up_to_the_cap()
    {
        var backoff = new FullJitterBackoff(Second, TimeSpan.FromSeconds(10));

        // A draw of 1.0 returns the ceiling itself.
        var delays = Enumerable.Range(0, 7).Select(_ => backoff.NextDelay(() => 1.0)).ToList();

        Assert.Equal(
            new[] { 1.0, 2, 4, 8, 10, 10, 10 }.Select(TimeSpan.FromSeconds),
            delays);
        Assert.Equal(7, backoff.Failures);
    }

    [Fact]
    public void CurrentCeiling_is_the_ceiling_of_the_next_draw()
    {
        var backoff = new FullJitterBackoff(Second, TimeSpan.FromSeconds(60));
        Assert.Equal(Second, backoff.CurrentCeiling);

        backoff.NextDelay(() => 0.0);
        backoff.NextDelay(() => 0.0);

        Assert.Equal(TimeSpan.FromSeconds(4), backoff.CurrentCeiling);
    }

    [Fact]
    public void Reset_brings_the_ceiling_back_to_its_start()
    {
        var backoff = new FullJitterBackoff(Second, TimeSpan.FromSeconds(60));
        for (var i = 0; i < 5; i++)
        {
            backoff.NextDelay(() => 1.0);
        }

        backoff.Reset();

        Assert.Equal(0, backoff.Failures);
        Assert.Equal(Second, backoff.CurrentCeiling);
        Assert.Equal(Second, backoff.NextDelay(() => 1.0));
    }

    [Fact]
    public void NextDelay_never_goes_below_the_minimum()
    {
        var backoff = new FullJitterBackoff(Second, TimeSpan.FromSeconds(60));

        Assert.Equal(TimeSpan.FromMilliseconds(250), backoff.NextDelay(() => 0.0, TimeSpan.FromMilliseconds(250)));
    }

    [Fact]
    public void NextDelay_with_a_minimum_above_the_ceiling_returns_the_minimum()
    {
        // A server's retry: larger than our ceiling wins.
        var backoff = new FullJitterBackoff(Second, TimeSpan.FromSeconds(60));

        Assert.Equal(TimeSpan.FromSeconds(5), backoff.NextDelay(() => 1.0, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void NextDelay_draws_uniformly_between_minimum_and_ceiling()
    {
        var backoff = new FullJitterBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));

        Assert.Equal(TimeSpan.FromSeconds(1.5), backoff.NextDelay(() => 0.5, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void NextDelay_with_a_seeded_random_stays_within_minimum_and_ceiling()
    {
        var random = new Random(1234);
        var backoff = new FullJitterBackoff(Second, TimeSpan.FromSeconds(30));
        var minimum = TimeSpan.FromMilliseconds(250);

        for (var i = 0; i < 200; i++)
        {
            var ceiling = backoff.CurrentCeiling;
            var delay = backoff.NextDelay(random.NextDouble, minimum);
            Assert.InRange(delay, minimum, ceiling);
        }
    }

    [Fact]
    public void NextDelay_after_very_many_failures_stays_at_the_cap()
    {
        var cap = TimeSpan.FromMinutes(1);
        var backoff = new FullJitterBackoff(Second, cap);

        for (var i = 0; i < 200; i++)
        {
            backoff.NextDelay(() => 1.0);
        }

        Assert.Equal(cap, backoff.CurrentCeiling);
        Assert.Equal(cap, backoff.NextDelay(() => 1.0));
    }

    [Theory]
    [InlineData(-1.0, 1)]
    [InlineData(2.0, 9)]
    public void Draw_clamps_a_unit_outside_zero_to_one(double unit, int expectedSeconds)
    {
        Assert.Equal(
            TimeSpan.FromSeconds(expectedSeconds),
            FullJitterBackoff.Draw(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(9), unit));
    }
}
