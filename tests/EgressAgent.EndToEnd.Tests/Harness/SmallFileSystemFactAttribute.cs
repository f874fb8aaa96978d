using EgressAgent.EndToEnd.Tests.Deploy;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A fact that mounts a <see cref="SmallFileSystem"/>: skipped, with the reason, when the tests
/// do not run as root or <c>mount</c> is missing. Under <c>CI=true</c> it is never skipped, so CI
/// cannot go green without the real full-disk test.
/// </summary>
public sealed class SmallFileSystemFactAttribute : FactAttribute
{
    public SmallFileSystemFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return;
        }

        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Skip = "Mounting a small tmpfs needs root on Linux.";
        }
        else if (ExternalTool.Find("mount") is null)
        {
            Skip = "'mount' is not on PATH.";
        }
    }
}
