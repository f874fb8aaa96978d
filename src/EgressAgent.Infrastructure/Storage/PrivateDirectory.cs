namespace EgressAgent.Infrastructure.Storage;

/// <summary>
/// Directories the agent creates for its data are <c>0700</c> (docs/protocol.md §10 "Files"): results
/// may hold query rows. A directory that already exists keeps the mode its operator gave it.
/// </summary>
internal static class PrivateDirectory
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> and any missing parent as <c>0700</c>; an existing directory is left as it is.</summary>
    public static DirectoryInfo Create(string path) =>
        OperatingSystem.IsWindows() ? Directory.CreateDirectory(path) : Directory.CreateDirectory(path, OwnerOnly);

    /// <summary><c>0644</c>-style octal text of a mode, for log lines.</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
}
