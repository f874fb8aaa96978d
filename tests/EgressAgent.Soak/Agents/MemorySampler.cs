namespace EgressAgent.Soak.Agents;

/// <summary>Samples the steady agent's RSS every few seconds (each sample in the soak's log): the first after warm-up is its start figure; the highest is reported.</summary>
internal sealed class MemorySampler(AgentSlot slot, TimeSpan warmUp, LineLog log)
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    public double? Start { get; private set; }

    public double? Peak { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(warmUp, stop);
            using var timer = new PeriodicTimer(Every);
            do
            {
                if (ResidentMemory.MiBOf(slot.Current.Pid) is { } now)
                {
                    Start ??= now;
                    Peak = Math.Max(Peak ?? 0, now);
                    log.WriteLine($"agent {slot.Index}: RSS {now:0.0} MiB");
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // The work stopped: so does sampling.
        }
    }
}
