namespace EgressAgent.Domain.Timing;

/// <summary>
/// Full-jitter exponential backoff: the delay of attempt n is drawn uniformly from
/// [minimum, min(cap, initialCeiling·2ⁿ)]. Jitter spreads replicas that lost the orchestrator
/// at the same moment so they do not reconnect in lock-step.
/// </summary>
public sealed class FullJitterBackoff(TimeSpan initialCeiling, TimeSpan cap)
{
    private int _failures;

    public int Failures => _failures;

    /// <summary>The ceiling the next delay is drawn under.</summary>
    public TimeSpan CurrentCeiling => CeilingAfter(_failures);

    public TimeSpan NextDelay(Func<double> random, TimeSpan minimum = default)
    {
        var ceiling = CeilingAfter(_failures);
        _failures = Math.Min(_failures + 1, 62);
        return Draw(minimum, ceiling, random());
    }

    public void Reset() => _failures = 0;

    /// <summary>A uniform draw in [minimum, max(minimum, ceiling)].</summary>
    public static TimeSpan Draw(TimeSpan minimum, TimeSpan ceiling, double unit)
    {
        if (ceiling <= minimum)
        {
            return minimum;
        }

        var span = (ceiling - minimum).Ticks;
        return minimum + TimeSpan.FromTicks((long)(span * Math.Clamp(unit, 0, 1)));
    }

    private TimeSpan CeilingAfter(int failures)
    {
        // Doubling in ticks overflows long after ~60 doublings; the cap is reached long before.
        var ticks = initialCeiling.Ticks;
        for (var i = 0; i < failures && ticks < cap.Ticks; i++)
        {
            ticks *= 2;
        }

        return TimeSpan.FromTicks(Math.Min(ticks, cap.Ticks));
    }
}
