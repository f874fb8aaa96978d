using EgressAgent.EndToEnd.Tests.Deploy;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A fact that mounts a <see cref="FreezableVolume"/>: skipped, with the reason, when the tests do
/// not run as root, there is no loop device, or <c>mount</c>, <c>mkfs.ext4</c> (e2fsprogs) or
/// <c>fsfreeze</c> (util-linux) is missing. Under <c>CI=true</c> it is never skipped (.ci/run
/// installs e2fsprogs), so CI cannot go green without the real stalled-volume test.
/// </summary>
public sealed class FreezableVolumeFactAttribute : FactAttribute
{
    public FreezableVolumeFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return;
        }

        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Skip = "Freezing a loop-mounted volume needs root on Linux.";
        }
        else if (!File.Exists("/dev/loop-control"))
        {
            Skip = "No loop devices (/dev/loop-control is missing).";
        }
        else if (new[] { "mount", "mkfs.ext4", "fsfreeze" }.FirstOrDefault(t => ExternalTool.Find(t) is null) is { } missing)
        {
            Skip = $"'{missing}' is not on PATH.";
        }
    }
}
