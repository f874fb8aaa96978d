using System.Runtime.Versioning;
using EgressAgent.Infrastructure.Storage;

namespace EgressAgent.Infrastructure.Tests.Storage;

/// <summary>
/// Contract §10 "One process per data directory" and "Files". flock locks belong to an open file,
/// not a process, so two acquisitions in one test process conflict exactly as two agents do.
/// </summary>
public sealed class DataDirectoryLockTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("egress-lock-tests-").FullName;

    private string DataDirectory => Path.Combine(_root, "data");

    [Fact]
    public void The_holder_writes_its_pid_into_the_lock_file_and_a_second_acquisition_names_it_and_the_directory()
    {
        var first = DataDirectoryLock.TryAcquire(DataDirectory, out var firstProblem);
        var second = DataDirectoryLock.TryAcquire(DataDirectory, out var problem);
        first?.Dispose();

        Assert.NotNull(first);
        Assert.Equal(string.Empty, firstProblem);
        Assert.Null(second);
        Assert.Contains($"'{DataDirectory}'", problem, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId})", problem, StringComparison.Ordinal);
        // Read once released: every .NET open takes a shared flock, which the holder's exclusive one refuses.
        Assert.Equal($"{Environment.ProcessId}\n", File.ReadAllText(Path.Combine(DataDirectory, DataDirectoryLock.FileName)));
    }

    [Fact]
    public void After_release_the_directory_can_be_taken_again_and_a_longer_old_pid_is_overwritten()
    {
        Directory.CreateDirectory(DataDirectory);
        var lockFile = Path.Combine(DataDirectory, DataDirectoryLock.FileName);
        File.WriteAllText(lockFile, "123456789012\nleft over by a killed process\n");

        DataDirectoryLock.TryAcquire(DataDirectory, out _)!.Dispose();
        var again = DataDirectoryLock.TryAcquire(DataDirectory, out var problem);
        again?.Dispose();

        Assert.NotNull(again);
        Assert.Equal(string.Empty, problem);
        Assert.Equal($"{Environment.ProcessId}\n", File.ReadAllText(lockFile));
    }

    [Fact]
    public void A_relative_path_names_the_full_directory()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, DataDirectory);
        using var first = DataDirectoryLock.TryAcquire(relative, out _);

        Assert.Null(DataDirectoryLock.TryAcquire(DataDirectory, out var problem));
        Assert.Equal(DataDirectory, first!.Directory);
        Assert.Contains($"'{DataDirectory}'", problem, StringComparison.Ordinal);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void A_data_directory_it_creates_is_0700_and_the_lock_file_0600()
    {
        using var held = DataDirectoryLock.TryAcquire(DataDirectory, out _);

        Assert.Equal(PrivateDirectory.OwnerOnly, File.GetUnixFileMode(DataDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(DataDirectory, DataDirectoryLock.FileName)));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void An_existing_data_directory_keeps_its_mode()
    {
        const UnixFileMode operatorMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        Directory.CreateDirectory(DataDirectory, operatorMode);

        using var held = DataDirectoryLock.TryAcquire(DataDirectory, out _);

        Assert.NotNull(held);
        Assert.Equal(operatorMode, File.GetUnixFileMode(DataDirectory));
    }

    [Fact]
    public void A_data_directory_that_is_a_file_is_a_problem_naming_it()
    {
        File.WriteAllText(DataDirectory, "not a directory");

        Assert.Null(DataDirectoryLock.TryAcquire(DataDirectory, out var problem));
        Assert.Contains($"'{DataDirectory}'", problem, StringComparison.Ordinal);
    }

    /// <summary>docs/adr/0020: a removed data directory is made anew by this process, <c>0700</c>, and locked again before anything goes in.</summary>
    [Fact]
    [SupportedOSPlatform("linux")]
    public void A_removed_data_directory_is_made_anew_and_locked_again_by_the_holder()
    {
        using var held = DataDirectoryLock.TryAcquire(DataDirectory, out var problem) ?? throw new InvalidOperationException(problem);
        Directory.Delete(DataDirectory, recursive: true);

        Assert.True(held.EnsureHeld());

        Assert.False(held.EnsureHeld()); // held again: nothing more to do
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(DataDirectory));
        Assert.Null(DataDirectoryLock.TryAcquire(DataDirectory, out problem));
        Assert.Contains($"pid {Environment.ProcessId})", problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// Refusing beats adopting: a directory made anew by another process (which may have written
    /// there) is not this process's, not even once nobody holds it: every check refuses it with a
    /// storage fault naming the directory and the pid its lock file names, and nothing is created in it.
    /// </summary>
    [Fact]
    [SupportedOSPlatform("linux")]
    public void A_data_directory_made_anew_by_another_process_is_refused_even_once_that_process_is_gone()
    {
        using var held = DataDirectoryLock.TryAcquire(DataDirectory, out var problem) ?? throw new InvalidOperationException(problem);
        Directory.Delete(DataDirectory, recursive: true);
        DataDirectoryLock.TryAcquire(DataDirectory, out problem)!.Dispose(); // another process: made it, locked it, exited

        var first = Assert.Throws<IOException>(() => held.EnsureHeld());
        var again = Assert.Throws<IOException>(() => held.EnsureHeld());

        Assert.Contains($"'{DataDirectory}'", first.Message, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId})", first.Message, StringComparison.Ordinal);
        Assert.Equal(first.Message, again.Message);
        Assert.Equal([DataDirectoryLock.FileName], Directory.EnumerateFileSystemEntries(DataDirectory).Select(Path.GetFileName));
        using var other = DataDirectoryLock.TryAcquire(DataDirectory, out problem); // and it was never locked by the refusing one
        Assert.NotNull(other);
    }

    /// <summary>The lock file replaced at its path (same name, another inode) is no longer this process's lock: refused, not adopted.</summary>
    [Fact]
    [SupportedOSPlatform("linux")]
    public void A_lock_file_replaced_at_its_path_is_not_this_process_lock_and_is_refused()
    {
        using var held = DataDirectoryLock.TryAcquire(DataDirectory, out var problem) ?? throw new InvalidOperationException(problem);
        var lockFile = Path.Combine(DataDirectory, DataDirectoryLock.FileName);
        File.WriteAllText(lockFile + ".new", "4711\n");
        File.Move(lockFile + ".new", lockFile, overwrite: true);

        var refused = Assert.Throws<IOException>(() => held.EnsureHeld());

        Assert.Contains("pid 4711)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public void File_identity_is_the_same_for_two_names_of_one_file_and_differs_for_a_file_made_anew_under_the_same_name()
    {
        Directory.CreateDirectory(DataDirectory);
        var path = Path.Combine(DataDirectory, "a");
        File.WriteAllText(path, "a");
        using var handle = File.OpenHandle(path);
        var first = FileIdentity.Of(path);
        File.CreateSymbolicLink(path + ".link", path);

        Assert.NotNull(first);
        Assert.Equal(first, FileIdentity.Of(handle));
        Assert.Equal(first, FileIdentity.Of(path + ".link"));
        File.Delete(path);
        File.WriteAllText(path, "b");
        Assert.NotEqual(first, FileIdentity.Of(path));
        Assert.Null(FileIdentity.Of(Path.Combine(DataDirectory, "missing")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
