using System.Text.RegularExpressions;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Soak.Checking;

namespace EgressAgent.Soak.Agents;

/// <summary>One agent process as the soak drives it: how it is asked to end, and how it did.</summary>
internal sealed partial class AgentLife
{
    private static readonly TimeSpan StartUpBound = TimeSpan.FromSeconds(60);
    private int _end = (int)LifeEnd.Running;

    public AgentLife(int slot, AgentProcess process)
    {
        Slot = slot;
        Process = process;
        Pid = process.Id;
        InstanceId = ReadInstanceIdAsync(process);
        Management = ManagementProbe.UrlOfAsync(process, StartUpBound);
    }

    public int Slot { get; }

    public AgentProcess Process { get; }

    public int Pid { get; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? EndedAt { get; set; }

    public LifeEnd End => (LifeEnd)Volatile.Read(ref _end);

    public int? ExitCode { get; set; }

    public double? StopSeconds { get; set; }

    /// <summary>The instance id from the agent's start-up line (§2: logged once at startup); null if it never came.</summary>
    public Task<string?> InstanceId { get; }

    public Task<Uri?> Management { get; }

    /// <summary>Completes once the process has exited and <see cref="ExitCode"/> is set.</summary>
    public Task Exited { get; set; } = Task.CompletedTask;

    /// <summary>Claims how this life ends; false when another end was claimed first (it already exited, or another fault got there).</summary>
    public bool TryEndAs(LifeEnd end) => Interlocked.CompareExchange(ref _end, (int)end, (int)LifeEnd.Running) == (int)LifeEnd.Running;

    public LifeRecord ToRecord(IReadOnlyList<ProxiedRequest> proxied)
    {
        var instance = InstanceId.IsCompletedSuccessfully ? InstanceId.Result : null;

        // Killed before its start-up line: its requests through this slot's proxy still say who it was.
        instance ??= proxied.FirstOrDefault(r => r.InstanceId is not null && r.At >= StartedAt && (EndedAt is null || r.At <= EndedAt))?.InstanceId;
        var notified = instance is not null && proxied.Any(r => r.InstanceId == instance && r.Is("POST", "/api/v1/agent/shutdown"));
        var spoke = instance is not null && proxied.Any(r => r.InstanceId == instance);
        return new LifeRecord(Slot, Pid, instance, End, ExitCode, StopSeconds, notified, spoke);
    }

    private static async Task<string?> ReadInstanceIdAsync(AgentProcess process)
    {
        try
        {
            var line = await process.WaitForLineAsync(l => StartedLine().IsMatch(l), StartUpBound);
            return StartedLine().Match(line).Groups["id"].Value;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"Agent instance (?<id>[0-9A-Za-z-]+) started against")]
    private static partial Regex StartedLine();
}
