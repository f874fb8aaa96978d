using System.Runtime.Versioning;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Storage;

/// <summary>
/// Warnings at start about files other users can get at (docs/protocol.md §10 "Files", docs/adr/0020):
/// a token file that group or others can read, and a data directory others can enter. Modes
/// and paths only, never content. The agent changes neither: both are the operator's files.
/// </summary>
internal sealed partial class FileModeWarnings(IOptions<OrchestratorOptions> orchestrator, IOptions<StorageOptions> storage, ILogger<FileModeWarnings> logger) : IStartupWarnings
{
    private const UnixFileMode GroupOrOthersRead = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// Others only: a group may be granted the directory on purpose (a Kubernetes volume with
    /// <c>fsGroup</c> is group-writable by design), others never need it.
    /// </summary>
    private const UnixFileMode Others = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public void LogAtStart()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var tokenFile = orchestrator.Value.TokenFile;
        if (!string.IsNullOrEmpty(tokenFile)
            && ModeOf(tokenFile) is { } tokenMode
            && (tokenMode & GroupOrOthersRead) != 0)
        {
            LogTokenFileReadable(logger, Path.GetFullPath(tokenFile), PrivateDirectory.Octal(tokenMode));
        }

        var dataDirectory = Path.GetFullPath(storage.Value.DataDirectory);
        if (ModeOf(dataDirectory) is { } directoryMode && (directoryMode & Others) != 0)
        {
            LogDataDirectoryOpen(logger, dataDirectory, PrivateDirectory.Octal(directoryMode));
        }
    }

    /// <summary>The mode of a file or directory (a symbolic link's target, as on a Kubernetes secret mount); null when it cannot be read.</summary>
    [UnsupportedOSPlatform("windows")]
    private static UnixFileMode? ModeOf(string path)
    {
        try
        {
            return File.GetUnixFileMode(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token file {Path} can be read by group or others (mode {Mode}); restrict it to the agent's user (chmod 600, or defaultMode: 0400 on a Kubernetes secret volume)")]
    private static partial void LogTokenFileReadable(ILogger logger, string path, string mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data directory {Path} is open to other users (mode {Mode}); stored results hold operation data: chmod o-rwx, or let the agent create the directory (0700)")]
    private static partial void LogDataDirectoryOpen(ILogger logger, string path, string mode);
}
