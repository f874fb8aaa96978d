using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace EgressAgent.Soak.Agents;

/// <summary>A log file of timestamped lines (seconds since the soak began); the harness writes agent output to it as it would to a test's output.</summary>
internal sealed class LineLog : ITestOutputHelper, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Stopwatch _clock;
    private readonly Lock _gate = new();
    private readonly bool _echo;

    public LineLog(string path, Stopwatch clock, bool echoToConsole = false)
    {
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
        _clock = clock;
        _echo = echoToConsole;
    }

    public void WriteLine(string message)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,8:0.000}] {message}");
        lock (_gate)
        {
            _writer.WriteLine(line);
        }

        if (_echo)
        {
            Console.WriteLine(line);
        }
    }

    public void WriteLine(string format, params object[] args) => WriteLine(string.Format(CultureInfo.InvariantCulture, format, args));

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }
}
