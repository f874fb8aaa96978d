using System.Globalization;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// The agent process's wall clock, steppable from the test while it runs: libfaketime
/// (Debian's <c>faketime</c> package) preloaded into the agent, reading its offset from a file it
/// re-reads every second. Only the wall clock moves: <c>CLOCK_MONOTONIC</c>, which .NET's
/// Stopwatch, timers and TimeProvider.GetTimestamp read, is left alone
/// (<c>FAKETIME_DONT_FAKE_MONOTONIC</c>). The file is the test's, never the agent's configuration.
/// </summary>
internal sealed class FakeWallClock : IDisposable
{
    private readonly TempDirectory _directory = new();

    public FakeWallClock() => Step(TimeSpan.Zero);

    /// <summary>libfaketime's thread-safe library, or null when the package is not installed.</summary>
    public static string? Library { get; } = FindLibrary();

    private string OffsetFile => Path.Combine(_directory.Path, "faketime");

    /// <summary>Puts the agent's wall clock <paramref name="offset"/> away from the real one (at most a second later).</summary>
    public void Step(TimeSpan offset)
    {
        var temporary = OffsetFile + ".tmp";
        File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture, $"{(offset < TimeSpan.Zero ? "-" : "+")}{(long)offset.Duration().TotalSeconds}\n"));
        File.Move(temporary, OffsetFile, overwrite: true); // never a half-written offset
    }

    /// <summary>The environment that makes an agent process use this clock.</summary>
    public void Apply(AgentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Environment["LD_PRELOAD"] = Library ?? throw new InvalidOperationException("libfaketime is not installed (apt-get install faketime).");
        settings.Environment["FAKETIME_TIMESTAMP_FILE"] = OffsetFile;
        settings.Environment["FAKETIME_CACHE_DURATION"] = "1";
        settings.Environment["FAKETIME_DONT_FAKE_MONOTONIC"] = "1";
        settings.Environment["DONT_FAKE_MONOTONIC"] = "1"; // the same, as libfaketime before 0.9.9 spells it
        settings.Environment["FAKETIME_DONT_RESET"] = "1";
    }

    public void Dispose() => _directory.Dispose();

    private static string? FindLibrary()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/usr/lib"))
        {
            return null;
        }

        return Directory.EnumerateDirectories("/usr/lib")
            .Select(d => Path.Combine(d, "faketime", "libfaketimeMT.so.1"))
            .Prepend("/usr/lib/faketime/libfaketimeMT.so.1")
            .FirstOrDefault(File.Exists);
    }
}
