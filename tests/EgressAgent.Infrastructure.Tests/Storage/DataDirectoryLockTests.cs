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

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
