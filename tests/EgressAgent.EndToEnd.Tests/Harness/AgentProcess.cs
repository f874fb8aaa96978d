using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using EgressAgent.Emulator;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// The real agent as a child process (<c>dotnet EgressAgent.Host.dll</c>, or the native agent named
/// by <see cref="AgentPathVariable"/>), configured through
/// environment variables exactly as an operator would, talking to an emulator over loopback.
/// Real signals reach it through kill(2).
/// </summary>
internal sealed partial class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errorLines = new();
    private readonly ITestOutputHelper? _output;
    private readonly Lock _waitersGate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private AgentProcess(Process process, ITestOutputHelper? output)
    {
        _process = process;
        _output = output;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line the agent wrote, stdout and stderr, in arrival order.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>The lines the agent wrote to stderr only (configuration problems, fatal errors), in arrival order.</summary>
    public IReadOnlyList<string> ErrorLines => [.. _errorLines];

    /// <summary>
    /// Names an agent executable to test instead of <c>dotnet EgressAgent.Host.dll</c> — CI sets it
    /// to the NativeAOT build (docs/adr/0026) and runs this project a second time.
    /// </summary>
    public const string AgentPathVariable = "EGRESS_AGENT_PATH";

    /// <summary>The native agent under test, or null for the JIT build next to the tests.</summary>
    public static string? NativeAgentPath { get; } = Environment.GetEnvironmentVariable(AgentPathVariable) is { Length: > 0 } path
        ? Path.GetFullPath(path)
        : null;

    public static AgentProcess Start(AgentSettings settings, ITestOutputHelper? output = null, params string[] arguments)
    {
        if (settings.HostAssembly is not null && settings.NativeExecutable is not null)
        {
            throw new ArgumentException("An agent is either a JIT build (HostAssembly) or a native one (NativeExecutable), not both.", nameof(settings));
        }

        var native = settings.NativeExecutable ?? (settings.HostAssembly is null ? NativeAgentPath : null);
        var start = new ProcessStartInfo(native ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = settings.WorkingDirectory,
        };
        if (native is null)
        {
            start.ArgumentList.Add(settings.HostAssembly ?? Path.Combine(AppContext.BaseDirectory, "EgressAgent.Host.dll"));
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A clean environment for the agent's own keys: nothing leaks in from the test runner.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("EgressAgent__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in settings.ToEnvironment())
        {
            start.Environment[key] = value;
        }

        var agent = new AgentProcess(new Process { StartInfo = start, EnableRaisingEvents = true }, output);
        agent._process.OutputDataReceived += (_, e) => agent.OnLine(e.Data);
        agent._process.ErrorDataReceived += (_, e) => agent.OnErrorLine(e.Data);
        agent._process.Start();
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>Starts the agent against <paramref name="emulator"/> with its credential and a fresh data directory.</summary>
    public static AgentProcess Start(OrchestratorEmulator emulator, TempDirectory data, ITestOutputHelper? output, Action<AgentSettings>? configure = null)
    {
        var settings = AgentSettings.For(emulator, data.Path);
        configure?.Invoke(settings);
        return Start(settings, output);
    }

    public void Signal(PosixSignal signal)
    {
        var number = signal switch
        {
            PosixSignal.SIGTERM => 15,
            PosixSignal.SIGINT => 2,
            _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "Only SIGTERM and SIGINT are sent by tests."),
        };
        if (Kill(_process.Id, number) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {number}) failed");
        }
    }

    /// <summary>SIGKILL: no chance to clean up, the crash the outbox must survive.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The agent did not exit within {timeout}. Last output:\n{Tail()}");
        }

        // The exit event can precede the last redirected lines; WaitForExit() flushes them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Waits for an output line matching <paramref name="match"/>, including lines already written.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersGate)
        {
            var existing = _lines.FirstOrDefault(match);
            if (existing is not null)
            {
                return existing;
            }

            _waiters.Add((match, found));
        }

        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No matching agent output within {timeout}. Last output:\n{Tail()}");
        }
    }

    public string Tail(int lines = 40) => string.Join('\n', _lines.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private void OnErrorLine(string? line)
    {
        if (line is not null)
        {
            _errorLines.Enqueue(line);
        }

        OnLine(line);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_waitersGate)
        {
            _lines.Enqueue(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }

        try
        {
            _output?.WriteLine($"[agent {_process.Id}] {line}");
        }
        catch (InvalidOperationException)
        {
            // The test finished; xunit no longer accepts output for it.
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
