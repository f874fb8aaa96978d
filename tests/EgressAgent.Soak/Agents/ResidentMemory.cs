using System.Globalization;

namespace EgressAgent.Soak.Agents;

/// <summary>A process's resident set, from <c>/proc/&lt;pid&gt;/status</c>: what the kernel charges it, whatever runtime it runs.</summary>
internal static class ResidentMemory
{
    /// <summary>VmRSS in MiB, or null when the process is gone.</summary>
    public static double? MiBOf(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return kib / 1024.0;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
