using EgressAgent.EndToEnd.Tests.Deploy;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A real file system of a few MiB (tmpfs, mounted for the test): filling it makes the kernel
/// answer <c>ENOSPC</c> to the agent's own writes, a full disk with nothing faked in the process.
/// Needs root (CI runs as root); see <c>SmallFileSystemFactAttribute</c>.
/// </summary>
internal sealed class SmallFileSystem : IAsyncDisposable
{
    private readonly TempDirectory _mountPoint = new();

    private SmallFileSystem()
    {
    }

    public string Path => _mountPoint.Path;

    public static async Task<SmallFileSystem> MountAsync(int mebibytes)
    {
        var fileSystem = new SmallFileSystem();
        var (exitCode, _, error) = await ExternalTool.RunAsync("mount", "-t", "tmpfs", "-o", $"size={mebibytes}m,mode=0700", "tmpfs", fileSystem.Path);
        if (exitCode != 0)
        {
            fileSystem._mountPoint.Dispose();
            throw new InvalidOperationException($"mount tmpfs failed ({exitCode}): {error}");
        }

        return fileSystem;
    }

    /// <summary>Writes a file until the kernel refuses: the file system is full from then on.</summary>
    public async Task<string> FillAsync()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        var chunk = new byte[64 * 1024];
        await using var file = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                await file.WriteAsync(chunk);
            }
        }
        catch (IOException)
        {
            // No space left on device: full.
        }

        return filler;
    }

    public async ValueTask DisposeAsync()
    {
        // Lazy: a file the agent still held open must not keep the mount alive after the test.
        await ExternalTool.RunAsync("umount", "-l", Path);
        _mountPoint.Dispose();
    }
}
