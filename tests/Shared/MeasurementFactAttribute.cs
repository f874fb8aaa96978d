namespace EgressAgent.Tests.Shared;

/// <summary>A measurement, not a test: runs only when <c>EGRESS_MEASURE=1</c> and on Linux (it reads /proc).</summary>
public sealed class MeasurementFactAttribute : FactAttribute
{
    public MeasurementFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("EGRESS_MEASURE") != "1" || !OperatingSystem.IsLinux())
        {
            Skip = "A measurement: set EGRESS_MEASURE=1 (Linux) to run it.";
        }
    }
}
