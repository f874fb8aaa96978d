using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A token file that holds the agent inside <c>run</c>'s configuration step: a FIFO, whose open
/// blocks the reading agent until the test opens the writing end. Once <see cref="WaitForReaderAsync"/>
/// returns, the agent is provably past <c>run</c>'s first line and its host is not built yet.
/// <see cref="Release"/> puts a regular token file at the path for every later read, then lets
/// the held read finish.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class HeldTokenFile : IDisposable
{
    private FileStream? _writer;

    private HeldTokenFile(string path) => Path = path;

    public string Path { get; }

    public static HeldTokenFile Create(string directory)
    {
        var path = System.IO.Path.Combine(directory, "token.json");
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", ["-m", "600", path]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("mkfifo did not start");
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0)
        {
            throw new InvalidOperationException($"mkfifo {path} exited {mkfifo.ExitCode}");
        }

        return new HeldTokenFile(path);
    }

    /// <summary>Waits until the agent opens the file: a FIFO's writer and reader open together.</summary>
    public async Task WaitForReaderAsync(TimeSpan timeout)
    {
        var open = Task.Run(() => new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0));
        try
        {
            _writer = await open.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // Be the reader ourselves, so the open stuck on its thread returns and is closed.
            await using (new FileStream(Path, FileMode.Open, FileAccess.Read))
            {
                await (await open).DisposeAsync();
            }

            throw new TimeoutException($"The agent did not open its token file within {timeout}.");
        }
    }

    public void Release(string id, string secret)
    {
        var writer = _writer ?? throw new InvalidOperationException("No reader is held.");
        var token = Encoding.UTF8.GetBytes(new JsonObject { ["mcd_id"] = id, ["mcd_token"] = secret }.ToJsonString());

        var staging = Path + ".regular";
        File.WriteAllBytes(staging, token);
        File.SetUnixFileMode(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(staging, Path, overwrite: true);

        _writer = null;
        try
        {
            writer.Write(token); // unbuffered: nothing left to flush when disposed
        }
        catch (IOException)
        {
            // The reader is gone (the agent died while held): its exit code says how, not this pipe.
        }
        finally
        {
            writer.Dispose();
        }
    }

    public void Dispose() => _writer?.Dispose();
}
