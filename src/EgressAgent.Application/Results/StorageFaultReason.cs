namespace EgressAgent.Application.Results;

/// <summary>
/// What a storage fault is, in a few words and without the path (docs/protocol.md §10, §11): the
/// text health's <c>degraded_reason</c> and <c>/readyz</c> give, which a monitor may show and a
/// probe may log anywhere. The exception's own message names files under the data directory, so it
/// goes to the agent's log only. On Unix .NET carries the <c>errno</c> as the <see cref="Exception.HResult"/>
/// of an <see cref="IOException"/>; on Windows the Win32 error as <c>0x8007xxxx</c>.
/// </summary>
internal static class StorageFaultReason
{
    private const int Eio = 5;
    private const int Eexist = 17;
    private const int Enotdir = 20;
    private const int Enospc = 28;
    private const int Erofs = 30;
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsWriteProtect = unchecked((int)0x80070013);

    /// <summary><c>EDQUOT</c>, whose number differs between Linux and the BSDs.</summary>
    private static readonly int Edquot = OperatingSystem.IsLinux() ? 122 : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 69 : -1;

    /// <summary>The short reason: <c>storage: no space left on device</c>, <c>storage: permission denied</c>, …</summary>
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return "storage: " + exception switch
        {
            UnauthorizedAccessException => "permission denied",
            // .NET reports ENOTDIR on a path as a directory not found too: a file where a directory was.
            DirectoryNotFoundException or FileNotFoundException or DriveNotFoundException => "data directory missing or not a directory",
            PathTooLongException => "path too long",
            IOException io => OfCode(io.HResult),
            _ => "I/O error",
        };
    }

    private static string OfCode(int code) => code switch
    {
        Enospc or WindowsDiskFull or WindowsHandleDiskFull => "no space left on device",
        Erofs or WindowsWriteProtect => "read-only file system",
        Enotdir or Eexist => "a file stands where a directory should be",
        Eio => "I/O error",
        _ when code == Edquot => "disk quota exceeded",
        _ => "I/O error",
    };
}
