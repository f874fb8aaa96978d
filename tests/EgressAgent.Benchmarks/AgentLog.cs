using System.Diagnostics;
using System.Text.RegularExpressions;

namespace EgressAgent.Benchmarks;

/// <summary>
/// The agent's console lines (stdout and stderr), each stamped on arrival: how a benchmark times the
/// steps inside the agent (stored in the outbox, uploaded) without hooks in the agent's code. A
/// line reaches this process a few milliseconds after the agent writes it (the console logger's queue).
/// </summary>
internal sealed class AgentLog
{
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, string Line)> _lines = [];
    private readonly bool _echo;

    private AgentLog(bool echo) => _echo = echo;

    /// <summary>Starts reading both of <paramref name="agent"/>'s output streams; <paramref name="echo"/> prints every line too.</summary>
    public static AgentLog Attach(Process agent, bool echo)
    {
        var log = new AgentLog(echo);
        agent.OutputDataReceived += (_, e) => log.Add(e.Data);
        agent.ErrorDataReceived += (_, e) => log.Add(e.Data);
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        return log;
    }

    /// <summary>The first line matching <paramref name="pattern"/> and when it arrived; waits for it until <paramref name="cancellationToken"/> fires.</summary>
    public async Task<(DateTimeOffset At, Match Match)> WaitForAsync(Regex pattern, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                foreach (var (at, line) in _lines)
                {
                    if (pattern.Match(line) is { Success: true } match)
                    {
                        return (at, match);
                    }
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>The last lines at warning level or above (simple console format: <c>warn:</c>, <c>fail:</c>, <c>crit:</c>), for a failure report.</summary>
    public IReadOnlyList<string> Problems(int count)
    {
        lock (_gate)
        {
            return _lines.Select(l => l.Line).Where(l => l.Contains(" warn: ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)).TakeLast(count).ToList();
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        var at = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            _lines.Add((at, line));
        }

        if (_echo)
        {
            Console.Error.WriteLine($"[agent] {line}");
        }
    }
}
