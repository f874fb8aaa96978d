using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace EgressAgent.Infrastructure.Storage;

/// <summary>
/// One process per data directory (docs/protocol.md §10, docs/adr/0020): an exclusive <c>flock</c> on
/// <c>{DataDirectory}/agent.lock</c>, taken before anything there is read or deleted and held for
/// the life of the process. The kernel drops it when the process dies, kill -9 included, so a
/// stale file never blocks a restart. The holder writes its pid into the file so that a second
/// process can name it.
/// </summary>
/// <remarks>
/// On Linux the file is opened and locked through libc rather than <see cref="FileStream"/>:
/// .NET's own lock (<c>FileShare.None</c> is <c>flock(LOCK_EX|LOCK_NB)</c>) is switched off by
/// <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>, and every .NET open takes at least
/// <c>LOCK_SH</c>, so the second process could not even read the holder's pid. The file is never
/// deleted: removing it while another process opens it would give two processes two "locked" files.
/// </remarks>
internal sealed partial class DataDirectoryLock : IDisposable
{
    public const string FileName = "agent.lock";

    private const int ReadWriteCreateCloseOnExec = 0x2 | 0x40 | 0x80000; // O_RDWR | O_CREAT | O_CLOEXEC
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC
    private const int OwnerReadWrite = 0x180; // 0600
    private const int ExclusiveNonBlocking = 0x2 | 0x4; // LOCK_EX | LOCK_NB
    private const int WouldBlock = 11; // EWOULDBLOCK (EAGAIN) on Linux
    private const int NoSuchEntry = 2; // ENOENT
    private const int AlreadyExists = 17; // EEXIST
    private const int OwnerOnlyDirectory = 0x1C0; // 0700

    private readonly Lock _gate = new();

    /// <summary>Locks on lock files no longer at the path (kept: this process may still touch what they guard).</summary>
    private readonly List<SafeFileHandle> _detached = [];
    private SafeFileHandle _handle;

    /// <summary>The file the lock is on, as the kernel names it (<c>/proc/self/fd/N</c>); null where that cannot be read.</summary>
    private string? _lockedFile;

    private DataDirectoryLock(string directory, SafeFileHandle handle)
    {
        Directory = directory;
        _handle = handle;
        _lockedFile = FileOf(handle);
    }

    /// <summary>The data directory, as a full path.</summary>
    public string Directory { get; }

    private string LockPath => Path.Combine(Directory, FileName);

    /// <summary>
    /// Creates the data directory when missing (<c>0700</c>) and locks it; null, with a one-line
    /// <paramref name="problem"/> naming the directory (and the holder's pid when known), when
    /// another process holds it or the lock cannot be taken.
    /// </summary>
    public static DataDirectoryLock? TryAcquire(string dataDirectory, out string problem)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var directory = Path.GetFullPath(dataDirectory);
        problem = string.Empty;
        try
        {
            PrivateDirectory.Create(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"EgressAgent:Storage:DataDirectory '{directory}' cannot be created ({ex.GetType().Name}: {ex.Message}).";
            return null;
        }

        var path = Path.Combine(directory, FileName);
        var handle = OperatingSystem.IsLinux() ? LockWithLibc(directory, path, out problem) : LockWithFileShare(directory, path, out problem);
        if (handle is null)
        {
            return null;
        }

        WritePid(handle);
        return new DataDirectoryLock(directory, handle);
    }

    /// <summary>
    /// Call before creating a file or directory in the data directory once the process runs
    /// (docs/adr/0020). Removing the data directory removes its lock file with it, and the lock
    /// this process holds is then on a file nobody can open: a second process could create the
    /// directory anew, lock it and take in whatever this one wrote there. So the lock file at the
    /// path must still be the file this process locked (same device and inode). When it is not and
    /// the directory is gone, this process makes it anew and locks it (true is returned); when a
    /// directory stands there again, made by another, or another locked it first, this throws an
    /// <see cref="IOException"/> naming the directory (and the pid its lock file names): a storage
    /// fault, and nothing is written there — refusing beats adopting a directory another process may
    /// have written in. Off Linux, where the lock is .NET's share mode, nothing is checked.
    /// </summary>
    public bool EnsureHeld()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        lock (_gate)
        {
            if (StillLocked())
            {
                return false;
            }

            // Only a directory this process makes itself, empty, is taken: one that exists now was
            // made by someone else (another agent, which may hold it or may have written there,
            // or an operator) and is not this process's to write in. Refusing beats adopting.
            MakeDirectory();
            if (LockWithLibc(Directory, LockPath, out var problem) is not { } handle)
            {
                throw new IOException($"the data directory was removed or replaced under this process and cannot be locked again, so nothing is stored there: {problem}");
            }

            WritePid(handle);
            _detached.Add(_handle);
            _handle = handle;
            _lockedFile = FileOf(handle);
            return true;
        }
    }

    /// <summary>Releases the lock; the process exiting does the same.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _handle.Dispose();
            foreach (var detached in _detached)
            {
                detached.Dispose();
            }
        }
    }

    /// <summary>
    /// Whether the lock file at the path is the file this process locked: the same device and inode
    /// (a volume mounted over the directory has the same names and another device). Where
    /// <c>statx</c> cannot answer, by the kernel's names: the locked file is still named by the path
    /// it was locked at (not "… (deleted)", not moved), and opening the path now reaches it.
    /// </summary>
    private bool StillLocked()
    {
        if (FileIdentity.Of(_handle) is { } locked)
        {
            return FileIdentity.Of(LockPath) == locked;
        }

        if (_lockedFile is null)
        {
            // No /proc to ask: the weaker check of the file's existence is all there is.
            return File.Exists(LockPath);
        }

        if (FileOf(_handle) != _lockedFile)
        {
            return false;
        }

        var fd = Open(LockPath, ReadOnlyCloseOnExec, 0);
        if (fd < 0)
        {
            return false;
        }

        using var current = new SafeFileHandle(fd, ownsHandle: true);
        return FileOf(current) == _lockedFile;
    }

    /// <summary>
    /// Makes the data directory anew (<c>0700</c>; missing parents, the operator's path, with the
    /// default mode). Throws an <see cref="IOException"/> when it exists: made by another since this
    /// process's lock was voided, it is refused, naming the pid its lock file holds if any.
    /// </summary>
    private void MakeDirectory()
    {
        if (MakeDirectory(Directory, OwnerOnlyDirectory) == 0)
        {
            return;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error == NoSuchEntry)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Directory)!);
            if (MakeDirectory(Directory, OwnerOnlyDirectory) == 0)
            {
                return;
            }

            error = Marshal.GetLastPInvokeError();
        }

        if (error != AlreadyExists)
        {
            throw new IOException($"EgressAgent:Storage:DataDirectory '{Directory}' was removed or replaced under this process and cannot be created again ({Marshal.GetPInvokeErrorMessage(error)}).", error);
        }

        var fd = Open(LockPath, ReadOnlyCloseOnExec, 0);
        int? pid = null;
        if (fd >= 0)
        {
            using var other = new SafeFileHandle(fd, ownsHandle: true);
            pid = ReadPid(other);
        }

        throw new IOException(
            $"EgressAgent:Storage:DataDirectory '{Directory}' was removed or replaced under this process and is now another directory " +
            $"({(pid is { } p ? $"its lock file names pid {p}" : "no agent's lock in it")}); nothing is stored there: restart the agent to use it.");
    }

    /// <summary>The file an open descriptor is on, as <c>/proc/self/fd</c> names it (a removed one ends in " (deleted)"); null where that cannot be read.</summary>
    private static string? FileOf(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle().ToInt64().ToString(CultureInfo.InvariantCulture)}").LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static SafeFileHandle? LockWithLibc(string directory, string path, out string problem)
    {
        problem = string.Empty;
        var fd = Open(path, ReadWriteCreateCloseOnExec, OwnerReadWrite);
        if (fd < 0)
        {
            problem = $"EgressAgent:Storage:DataDirectory '{directory}': the lock file {FileName} cannot be opened ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}).";
            return null;
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Flock(fd, ExclusiveNonBlocking) == 0)
        {
            return handle;
        }

        var error = Marshal.GetLastPInvokeError();
        problem = error == WouldBlock
            ? InUse(directory, ReadPid(handle))
            // No lock (a file system without flock support): two processes could share the directory unnoticed.
            : $"EgressAgent:Storage:DataDirectory '{directory}': the lock file {FileName} cannot be locked ({Marshal.GetPInvokeErrorMessage(error)}); use a local file system.";
        handle.Dispose();
        return null;
    }

    /// <summary>Elsewhere (macOS, Windows) .NET's share mode is the lock; the holder's pid cannot be read while it holds it.</summary>
    private static SafeFileHandle? LockWithFileShare(string directory, string path, out string problem)
    {
        problem = string.Empty;
        try
        {
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            problem = InUse(directory, pid: null);
            return null;
        }
        catch (UnauthorizedAccessException ex)
        {
            problem = $"EgressAgent:Storage:DataDirectory '{directory}': the lock file {FileName} cannot be opened ({ex.Message}).";
            return null;
        }
    }

    private static string InUse(string directory, int? pid) =>
        $"EgressAgent:Storage:DataDirectory '{directory}' is in use by another agent process ({(pid is { } p ? $"pid {p}" : "pid unknown")}); run one process per data directory.";

    /// <summary>Writes <c>pid\n</c>, then cuts what an earlier, longer pid left behind.</summary>
    private static void WritePid(SafeFileHandle handle)
    {
        var text = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        RandomAccess.Write(handle, text, fileOffset: 0);
        RandomAccess.SetLength(handle, text.Length);
    }

    /// <summary>The pid in the first line of the file; null when there is none (the holder has not written it yet).</summary>
    private static int? ReadPid(SafeFileHandle handle)
    {
        Span<byte> head = stackalloc byte[32];
        try
        {
            var read = RandomAccess.Read(handle, head, fileOffset: 0);
            var line = Encoding.ASCII.GetString(head[..read]).Split('\n')[0].Trim();
            return int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeDirectory(string path, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
