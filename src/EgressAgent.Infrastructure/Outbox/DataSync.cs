using System.Runtime.InteropServices;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// fdatasync of an open file: its data and the size that makes the data readable, without the
/// timestamps fsync would also write (docs/adr/0032). .NET's <c>Flush(true)</c> is fsync; on
/// Linux libc does the cheaper call, elsewhere the file is flushed the .NET way.
/// </summary>
internal static partial class DataSync
{
    public static void Flush(FileStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!OperatingSystem.IsLinux())
        {
            stream.Flush(flushToDisk: true);
            return;
        }

        var file = stream.SafeFileHandle;
        var added = false;
        file.DangerousAddRef(ref added);
        try
        {
            if (Fdatasync((int)file.DangerousGetHandle()) != 0)
            {
                // EIO, ENOSPC, EDQUOT: what was written may not be on the disk (docs/adr/0014).
                // The errno as HResult too, as .NET's own I/O errors carry it (StorageFaultReason reads it).
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fdatasync failed (errno {errno})", errno);
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(int fd);
}
