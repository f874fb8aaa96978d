using EgressAgent.Application.Results;

namespace EgressAgent.Application.Tests.Pipeline;

/// <summary>
/// Contract §10/§11: health and <c>/readyz</c> say what failed in storage, never where on disk —
/// the exception's message (with the data directory's paths) is for the log only.
/// </summary>
public sealed class StorageFaultReasonTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("egress-fault-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<Exception, string> Faults => new()
    {
        { new IOException("No space left on device : '/data/outbox/a.tmp'", 28), "storage: no space left on device" },
        { new IOException("Read-only file system : '/data/outbox/a.tmp'", 30), "storage: read-only file system" },
        { new IOException("Input/output error : '/data/outbox/a.tmp'", 5), "storage: I/O error" },
        { new IOException("Not a directory : '/data/outbox/a.tmp'", 20), "storage: a file stands where a directory should be" },
        { new IOException("fdatasync failed (errno 28)", 28), "storage: no space left on device" },
        { new IOException("something else at '/data/outbox'"), "storage: I/O error" },
        { new UnauthorizedAccessException("Access to the path '/data/outbox/a.tmp' is denied."), "storage: permission denied" },
        { new DirectoryNotFoundException("Could not find a part of the path '/data/outbox/a.tmp'."), "storage: data directory missing or not a directory" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void Each_fault_is_named_in_a_few_words_without_its_path(Exception fault, string reason)
    {
        var text = StorageFaultReason.Of(fault);

        Assert.Equal(reason, text);
        Assert.DoesNotContain("/data", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_faults_the_runtime_really_throws_are_named_without_the_data_directory()
    {
        var file = Path.Combine(_directory, "outbox");
        File.WriteAllText(file, "a file where the outbox directory should be");

        var underAFile = Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(file, "a.tmp"), "{}"));
        var recreate = Assert.ThrowsAny<IOException>(() => Directory.CreateDirectory(file));
        var missing = Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(_directory, "gone", "a.tmp"), "{}"));

        Assert.Contains(_directory, underAFile.Message + recreate.Message + missing.Message, StringComparison.Ordinal); // the runtime's text has the path
        Assert.Equal("storage: data directory missing or not a directory", StorageFaultReason.Of(underAFile)); // ENOTDIR, as .NET reports it
        Assert.Equal("storage: a file stands where a directory should be", StorageFaultReason.Of(recreate)); // EEXIST
        Assert.Equal("storage: data directory missing or not a directory", StorageFaultReason.Of(missing));
    }
}
