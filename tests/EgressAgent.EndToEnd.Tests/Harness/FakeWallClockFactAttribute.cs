namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A fact that steps the agent's wall clock with <see cref="FakeWallClock"/>: skipped, with the
/// reason, when libfaketime is not installed. Under <c>CI=true</c> it is never skipped
/// (<c>.ci/run</c> installs the package), so CI cannot go green without it.
/// </summary>
public sealed class FakeWallClockFactAttribute : FactAttribute
{
    public FakeWallClockFactAttribute()
    {
        if (FakeWallClock.Library is null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "libfaketime is not installed (apt-get install faketime; .ci/run does).";
        }
    }
}
