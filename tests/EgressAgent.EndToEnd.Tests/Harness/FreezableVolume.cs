using EgressAgent.EndToEnd.Tests.Deploy;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A real volume that can be made to stop answering: an ext4 image of a few MiB, loop-mounted for
/// the test, that <c>fsfreeze</c> freezes. While it is frozen the kernel holds every write, fsync,
/// create, rename and unlink on it (the caller sleeps uninterruptibly until the thaw) and reads go
/// on — a stalled volume as a hung disk or a suspended network block device makes one, with
/// nothing faked in the process. Needs root and a loop device (see <see cref="FreezableVolumeFactAttribute"/>).
/// </summary>
internal sealed class FreezableVolume : IAsyncDisposable
{
    private readonly TempDirectory _files = new();

    private FreezableVolume()
    {
        Path = System.IO.Path.Combine(_files.Path, "mnt");
        Directory.CreateDirectory(Path);
    }

    /// <summary>Where the volume is mounted.</summary>
    public string Path { get; }

    private string Image => System.IO.Path.Combine(_files.Path, "volume.ext4");

    public static async Task<FreezableVolume> MountAsync(int mebibytes)
    {
        var volume = new FreezableVolume();
        try
        {
            await using (var image = new FileStream(volume.Image, FileMode.CreateNew, FileAccess.Write))
            {
                image.SetLength(mebibytes * 1024L * 1024);
            }

            await RunAsync("mkfs.ext4", "-q", "-F", volume.Image);
            // noatime: a read on the frozen volume must not wait to update an access time.
            await RunAsync("mount", "-o", "loop,noatime", volume.Image, volume.Path);
            return volume;
        }
        catch
        {
            volume._files.Dispose();
            throw;
        }
    }

    /// <summary>Freezes the volume; disposing the answer thaws it (a test that fails frozen still thaws before the agent is killed).</summary>
    public async Task<IAsyncDisposable> FreezeAsync()
    {
        await RunAsync("fsfreeze", "--freeze", Path);
        return new Frozen(this);
    }

    /// <summary>Lets every held call on the volume go on. Thawing a volume that is not frozen does nothing.</summary>
    public async Task ThawAsync() => await ExternalTool.RunAsync("fsfreeze", "--unfreeze", Path);

    public async ValueTask DisposeAsync()
    {
        await ThawAsync();
        // Lazy: a file the agent still held open must not keep the mount alive after the test;
        // the loop device goes with the last reference (mount -o loop sets it to clear itself).
        await ExternalTool.RunAsync("umount", "-l", Path);
        _files.Dispose();
    }

    private static async Task RunAsync(string tool, params string[] arguments)
    {
        var (exitCode, _, error) = await ExternalTool.RunAsync(tool, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({exitCode}): {error}");
        }
    }

    private sealed class Frozen(FreezableVolume volume) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await volume.ThawAsync();
    }
}
