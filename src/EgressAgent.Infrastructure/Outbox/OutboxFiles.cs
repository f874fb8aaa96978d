using EgressAgent.Infrastructure.Storage;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>How the outbox creates and removes its files and directories: owner-only, and never over another file.</summary>
internal static class OutboxFiles
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Created with the given mode, and readable by the agent's user only (docs/protocol.md §10 "Files").</summary>
    public static FileStreamOptions PrivateFileOptions(FileMode mode)
    {
        var options = new FileStreamOptions
        {
            Mode = mode,
            Access = FileAccess.Write,

            // Readers of a segment open it while it is appended to.
            Share = FileShare.Read,

            // Unbuffered: the JSON writer already buffers, and flushes large results in 64 KiB
            // chunks (docs/adr/0009); a FileStream buffer would be a second copy and a 16 KiB
            // allocation per result (docs/performance.md).
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        return options;
    }

    /// <summary>A directory under the data directory, and the data directory itself when it is gone too (0700 each).</summary>
    public static void CreateOwnerOnlyDirectory(string path)
    {
        // The mode applies only to the last directory of a path; the parent gets it explicitly.
        PrivateDirectory.Create(Path.GetDirectoryName(path)!);
        PrivateDirectory.Create(path);
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The directory is gone or read-only: then so is the file, or it stays a .tmp that
            // the next start deletes. Either way it is never listed as a result.
        }
    }
}
