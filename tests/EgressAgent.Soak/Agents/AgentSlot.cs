using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Soak.Checking;

namespace EgressAgent.Soak.Agents;

/// <summary>
/// One agent position: its own fault proxy in front of the orchestrator, its own data directory on
/// its own small tmpfs (so a full disk is the kernel's ENOSPC), and the agent process running
/// there, restarted after every exit. Slot-level faults take <see cref="Gate"/>, one at a time.
/// </summary>
internal sealed class AgentSlot : IAsyncDisposable
{
    public const int DiskMiB = 16;

    private static readonly TimeSpan StopBound = SoakAgentSettings.ShutdownBudget + TimeSpan.FromSeconds(20);
    private static readonly TimeSpan GoodbyeWait = TimeSpan.FromSeconds(10);
    private const int GoodbyeAttempts = 3;
    private const int UnaskedRestarts = 5;

    private readonly AgentSettings _settings;
    private readonly LineLog _agentLog;
    private readonly LineLog _soakLog;
    private readonly Lock _gate = new();
    private readonly List<AgentLife> _lives = [];
    private readonly List<DataDirectoryRemoval> _removals = [];
    private volatile bool _closing;
    private int _unasked;

    private AgentSlot(int index, bool restartable, SmallFileSystem disk, FaultProxy proxy, Func<Uri, string, AgentSettings> settings, LineLog agentLog, LineLog soakLog)
    {
        Index = index;
        Restartable = restartable;
        Disk = disk;
        Proxy = proxy;
        DataDirectory = Path.Combine(disk.Path, "data");
        _settings = settings(proxy.BaseUrl, DataDirectory);
        _agentLog = agentLog;
        _soakLog = soakLog;
    }

    public int Index { get; }

    /// <summary>False for the agent that runs through the whole soak (its memory is measured): it gets no SIGTERM, kill or goodbye.</summary>
    public bool Restartable { get; }

    /// <summary>How long an operator takes to restart an agent after making its data directory anew.</summary>
    private static readonly TimeSpan OperatorReaction = TimeSpan.FromSeconds(3);

    public SmallFileSystem Disk { get; }

    public FaultProxy Proxy { get; }

    public string DataDirectory { get; }

    /// <summary>Held by a slot-level fault (disk, data directory, restart) and by the final stop.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public int GoodbyesUnheard { get; private set; }

    public AgentLife Current
    {
        get
        {
            lock (_gate)
            {
                return _lives[^1];
            }
        }
    }

    public IReadOnlyList<AgentLife> Lives
    {
        get
        {
            lock (_gate)
            {
                return [.. _lives];
            }
        }
    }

    public IReadOnlyList<DataDirectoryRemoval> Removals
    {
        get
        {
            lock (_gate)
            {
                return [.. _removals];
            }
        }
    }

    public static async Task<AgentSlot> StartAsync(int index, bool restartable, OrchestratorEmulator emulator, Func<Uri, string, AgentSettings> settings, LineLog agentLog, LineLog soakLog)
    {
        var disk = await SmallFileSystem.MountAsync(DiskMiB);
        var proxy = FaultProxy.Start(emulator.BaseUrl);
        var slot = new AgentSlot(index, restartable, disk, proxy, settings, agentLog, soakLog);
        slot.Launch();
        return slot;
    }

    /// <summary>SIGTERM, wait for the exit (timed from the signal), then start the next process unless <paramref name="restart"/> is false.</summary>
    public async Task StopAsync(LifeEnd how, bool restart)
    {
        var life = Current;
        if (!life.TryEndAs(how))
        {
            return; // it exited already; its watcher restarts it
        }

        _soakLog.WriteLine($"agent {Index}: SIGTERM to pid {life.Pid} ({how})");
        var clock = Stopwatch.StartNew();
        var exited = ExitWatch.ExitedAtAsync(life.Pid, clock, StopBound);
        try
        {
            life.Process.Signal(PosixSignal.SIGTERM);
            life.StopSeconds = (await exited).TotalSeconds;
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            life.StopSeconds = clock.Elapsed.TotalSeconds;
            _soakLog.WriteLine($"agent {Index}: pid {life.Pid} still running {life.StopSeconds:0.0} s after SIGTERM; killing it");
            life.Process.KillHard();
        }

        await EndAsync(life, restart);
    }

    public async Task KillAsync()
    {
        var life = Current;
        if (!life.TryEndAs(LifeEnd.Killed))
        {
            return;
        }

        _soakLog.WriteLine($"agent {Index}: kill -9 pid {life.Pid}");
        life.Process.KillHard();
        await EndAsync(life, restart: true);
    }

    /// <summary>The orchestrator's goodbye to this process's instance; sent again if its stream was down, then SIGTERM as a last resort.</summary>
    public async Task GoodbyeAsync(OrchestratorEmulator emulator)
    {
        var life = Current;
        var instance = await life.InstanceId;
        if (instance is null || !life.TryEndAs(LifeEnd.Goodbye))
        {
            return;
        }

        for (var attempt = 1; attempt <= GoodbyeAttempts && !life.Process.HasExited; attempt++)
        {
            _soakLog.WriteLine($"agent {Index}: goodbye to pid {life.Pid} (attempt {attempt})");
            emulator.SendEvent(new JsonObject { ["type"] = "goodbye", ["reason"] = "chaos soak" }, instanceId: instance);
            try
            {
                await life.Process.WaitForExitAsync(GoodbyeWait);
            }
            catch (TimeoutException)
            {
                // Its stream was down (a fault): the event waits in the replay buffer or is sent again.
            }
        }

        if (!life.Process.HasExited)
        {
            GoodbyesUnheard++;
            _soakLog.WriteLine($"agent {Index}: pid {life.Pid} never heard goodbye; SIGTERM");
            life.Process.Signal(PosixSignal.SIGTERM);
        }

        await EndAsync(life, restart: true);
    }

    /// <summary>Fills the tmpfs until the kernel refuses, holds it full, frees it.</summary>
    public async Task FillDiskAsync(TimeSpan hold)
    {
        _soakLog.WriteLine($"agent {Index}: disk full for {hold.TotalSeconds:0.0} s");
        var filler = await Disk.FillAsync();
        try
        {
            await Task.Delay(hold);
        }
        finally
        {
            File.Delete(filler);
            _soakLog.WriteLine($"agent {Index}: disk freed");
        }
    }

    /// <summary>
    /// Removes the data directory under the running agent; then the agent, an operator or a restart
    /// makes it anew. An operator who makes it anew restarts the agent, as docs/operations.md tells:
    /// the agent refuses a directory another made (docs/adr/0045) and holds its work until then. An
    /// agent the soak never restarts makes the directory anew itself instead.
    /// </summary>
    public async Task RemoveDataDirectoryAsync(DataDirectoryRecovery recovery)
    {
        if (!Restartable)
        {
            recovery = DataDirectoryRecovery.AgentRecreates;
        }

        _soakLog.WriteLine($"agent {Index}: data directory removed ({recovery})");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(DataDirectory))
                {
                    Directory.Delete(DataDirectory, recursive: true);
                }

                break;
            }
            catch (IOException) when (attempt < 20)
            {
                // The agent wrote a file meanwhile ("directory not empty"): remove that too.
                await Task.Delay(50);
            }
        }

        lock (_gate)
        {
            _removals.Add(new DataDirectoryRemoval(Index, DateTimeOffset.UtcNow));
        }

        switch (recovery)
        {
            case DataDirectoryRecovery.OperatorRecreates:
                if (!OperatingSystem.IsLinux())
                {
                    throw new PlatformNotSupportedException("The soak runs on Linux only (SoakOptions checks).");
                }

                Directory.CreateDirectory(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                await Task.Delay(OperatorReaction); // the agent refuses the new directory meanwhile
                await StopAsync(LifeEnd.Sigterm, restart: true);
                break;
            case DataDirectoryRecovery.Restart:
                await StopAsync(LifeEnd.Sigterm, restart: true);
                break;
            default:
                break; // the agent recreates it with its next write (§10)
        }
    }

    /// <summary>The end of the soak: SIGTERM, no restart.</summary>
    public async Task CloseAsync()
    {
        await Gate.WaitAsync();
        try
        {
            _closing = true;
            await StopAsync(LifeEnd.FinalStop, restart: false);
        }
        finally
        {
            Gate.Release();
        }
    }

    public IReadOnlyList<LifeRecord> Records()
    {
        var proxied = Proxy.Requests;
        return [.. Lives.Select(l => l.ToRecord(proxied))];
    }

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        foreach (var life in Lives.Where(l => !l.Process.HasExited))
        {
            life.TryEndAs(LifeEnd.Killed);
            life.Process.KillHard();
        }

        foreach (var life in Lives)
        {
            await life.Process.DisposeAsync();
        }

        await Proxy.DisposeAsync();
        await Disk.DisposeAsync();
        Gate.Dispose();
    }

    private void Launch()
    {
        var life = new AgentLife(Index, AgentProcess.Start(_settings, _agentLog));
        lock (_gate)
        {
            _lives.Add(life);
        }

        _soakLog.WriteLine($"agent {Index}: started pid {life.Pid}");
        life.Exited = WatchAsync(life);
    }

    private async Task WatchAsync(AgentLife life)
    {
        life.ExitCode = await life.Process.WaitForExitAsync(Timeout.InfiniteTimeSpan);
        life.EndedAt = DateTimeOffset.UtcNow;
        if (!life.TryEndAs(LifeEnd.OnItsOwn))
        {
            return; // the soak ended it; whoever did restarts it
        }

        _soakLog.WriteLine($"agent {Index}: pid {life.Pid} exited {life.ExitCode} on its own");
        if (_closing || Interlocked.Increment(ref _unasked) > UnaskedRestarts)
        {
            return;
        }

        await Gate.WaitAsync();
        try
        {
            if (!_closing)
            {
                Launch();
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task EndAsync(AgentLife life, bool restart)
    {
        await life.Exited;
        _soakLog.WriteLine($"agent {Index}: pid {life.Pid} exited {life.ExitCode}");
        if (restart && !_closing)
        {
            Launch();
        }
    }
}
