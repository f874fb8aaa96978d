namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// The threads of a process the kernel holds in an uninterruptible sleep (state D in
/// <c>/proc/&lt;pid&gt;/task/*/stat</c>): on a frozen <see cref="FreezableVolume"/>, the callers of
/// a write, sync, create or unlink there. Tells a test that the agent's store has reached the
/// kernel and is held there, without reading the agent's files or waiting a guessed time.
/// </summary>
internal static class HeldThreads
{
    public static int Count(int pid)
    {
        var held = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                // The state follows the command name in parentheses: "tid (name) D ...".
                if (stat.AsSpan(stat.LastIndexOf(')') + 2).StartsWith("D"))
                {
                    held++;
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return held;
    }

    public static Task WaitForAsync(int pid, TimeSpan bound) =>
        Poll.UntilAsync(() => Count(pid) > 0, bound, $"a thread of process {pid} held by the kernel");
}
