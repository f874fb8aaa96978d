using System.Globalization;

namespace EgressAgent.Benchmarks;

/// <summary>
/// Reads a process's resident memory and CPU time every <see cref="Interval"/> until disposed: the
/// kernel's high-water mark says how high memory went, the samples say in which step, and how much
/// CPU each step took.
/// </summary>
internal sealed class ProcessSampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>USER_HZ: the unit of the CPU times in <c>/proc/&lt;pid&gt;/stat</c> (100 on Linux everywhere it matters).</summary>
    private const double TicksPerSecond = 100;

    private readonly Lock _gate = new();
    private readonly List<Sample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ProcessSampler(int pid) => _loop = SampleAsync(pid, _stop.Token);

    /// <summary>The largest resident size sampled between <paramref name="from"/> and <paramref name="to"/>; NaN when none was.</summary>
    public double MaxRssBetween(DateTimeOffset from, DateTimeOffset to) => MaxBetween(from, to, s => s.Status.RssMiB);

    /// <summary>The largest anonymous (private, not file-backed) resident size sampled between the two times.</summary>
    public double MaxAnonBetween(DateTimeOffset from, DateTimeOffset to) => MaxBetween(from, to, s => s.Status.AnonMiB);

    /// <summary>CPU seconds (user + system) the process used between the samples nearest the two times.</summary>
    public double CpuBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            return _samples.Count == 0 ? double.NaN : Nearest(to).CpuSeconds - Nearest(from).CpuSeconds;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private double MaxBetween(DateTimeOffset from, DateTimeOffset to, Func<Sample, double> value)
    {
        lock (_gate)
        {
            var within = _samples.Where(s => s.At >= from && s.At <= to).Select(value).ToList();
            return within.Count == 0 ? double.NaN : within.Max();
        }
    }

    private Sample Nearest(DateTimeOffset at) => _samples.MinBy(s => Math.Abs((s.At - at).Ticks))!;

    private async Task SampleAsync(int pid, CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(Interval);
            do
            {
                var sample = new Sample(DateTimeOffset.UtcNow, ProcStatus.Read(pid), CpuSeconds(pid));
                lock (_gate)
                {
                    _samples.Add(sample);
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The process is gone: nothing more to sample.
        }
    }

    /// <summary>utime + stime, fields 14 and 15 of <c>/proc/&lt;pid&gt;/stat</c> (counted after the command name, which may hold spaces).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    private readonly record struct Sample(DateTimeOffset At, ProcStatus Status, double CpuSeconds);
}
