namespace EgressAgent.Benchmarks;

/// <summary>
/// Reads a process's resident memory every <see cref="Interval"/> until disposed: the kernel's
/// high-water mark says how high it went, the samples say in which step.
/// </summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, double RssMiB)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssSampler(int pid) => _loop = SampleAsync(pid, _stop.Token);

    /// <summary>The largest resident size sampled between <paramref name="from"/> and <paramref name="to"/>; NaN when none was.</summary>
    public double MaxBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            var within = _samples.Where(s => s.At >= from && s.At <= to).Select(s => s.RssMiB).ToList();
            return within.Count == 0 ? double.NaN : within.Max();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task SampleAsync(int pid, CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(Interval);
            while (await timer.WaitForNextTickAsync(stop))
            {
                var rss = ProcStatus.Read(pid).RssMiB;
                lock (_gate)
                {
                    _samples.Add((DateTimeOffset.UtcNow, rss));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The process is gone: nothing more to sample.
        }
    }
}
