namespace EgressAgent.Soak.Checking;

/// <summary>The resident set of the agent that ran through the whole soak without a restart, after warm-up and at the end.</summary>
/// <param name="Slot">Its slot.</param>
/// <param name="StartMiB">RSS once warm (the first sample after the warm-up).</param>
/// <param name="EndMiB">RSS after the drain, before the final stop.</param>
internal sealed record MemoryReading(int Slot, double StartMiB, double EndMiB);
