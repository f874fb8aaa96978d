using System.Globalization;

namespace EgressAgent.Benchmarks;

/// <summary>
/// Resident memory of a process from <c>/proc/&lt;pid&gt;/status</c>: all of it, the private (anonymous)
/// part, and the most it has ever held (<c>VmHWM</c>, the high-water mark the kernel keeps).
/// </summary>
internal readonly record struct ProcStatus(double RssMiB, double AnonMiB, double PeakMiB)
{
    public static ProcStatus Read(int pid)
    {
        double rss = double.NaN, anon = double.NaN, peak = double.NaN;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = KiB(line) / 1024.0;
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = KiB(line) / 1024.0;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = KiB(line) / 1024.0;
            }
        }

        return new ProcStatus(rss, anon, peak);
    }

    private static double KiB(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
