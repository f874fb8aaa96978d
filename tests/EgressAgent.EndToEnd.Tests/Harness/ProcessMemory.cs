using System.Globalization;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>What the kernel says a process holds in memory (<c>/proc/&lt;pid&gt;/status</c>), as a pod's limit would count it.</summary>
internal static class ProcessMemory
{
    /// <summary>The most resident memory the process ever held (<c>VmHWM</c>), in bytes.</summary>
    public static long PeakResidentBytes(int processId) => Field(processId, "VmHWM:");

    /// <summary>The resident memory the process holds now (<c>VmRSS</c>), in bytes.</summary>
    public static long ResidentBytes(int processId) => Field(processId, "VmRSS:");

    private static long Field(int processId, string name)
    {
        var line = File.ReadLines($"/proc/{processId}/status").Single(l => l.StartsWith(name, StringComparison.Ordinal));
        // "VmHWM:	  123456 kB"
        var kibibytes = long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kibibytes * 1024;
    }
}
