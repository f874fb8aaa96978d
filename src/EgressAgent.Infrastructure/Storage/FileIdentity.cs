using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EgressAgent.Infrastructure.Storage;

/// <summary>
/// Which file a path or an open descriptor is: its device and inode, from <c>statx(2)</c> (one layout on
/// every Linux architecture). Two names for one file compare equal; a file removed and made anew
/// under the same name does not. Null off Linux or where the call fails.
/// </summary>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode)
{
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const int EmptyPath = 0x1000; // AT_EMPTY_PATH
    private const uint InodeMask = 0x100; // STATX_INO
    private const int StatxSize = 256;

    public static FileIdentity? Of(string path) => Query(CurrentDirectory, path, 0);

    public static FileIdentity? Of(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return Query((int)handle.DangerousGetHandle(), string.Empty, EmptyPath);
    }

    private static unsafe FileIdentity? Query(int directory, string path, int flags)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = stackalloc byte[StatxSize];
        try
        {
            if (Statx(directory, path, flags, InodeMask, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null; // a C library older than statx
        }

        // struct statx: stx_ino at 32, stx_dev_major at 136, stx_dev_minor at 140.
        var inode = *(ulong*)(buffer + 32);
        var device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        return new FileIdentity(device, inode);
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
