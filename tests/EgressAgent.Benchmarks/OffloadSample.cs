namespace EgressAgent.Benchmarks;

/// <summary>What one <c>offload</c> run measured; times in seconds, sizes in bytes, memory in MiB.</summary>
/// <param name="Total">Handed out (E1) → location result received (E2).</param>
/// <param name="Store">Handed out → the agent logs the operation finished: query, rows, result written to the outbox.</param>
/// <param name="Upload">Finished → the agent logs the result offloaded: read from the outbox, (gzipped,) uploaded, URL signed.</param>
/// <param name="StoredBytes">The result object's size as stored (the agent's log line).</param>
/// <param name="UploadedBytes">The object's size as uploaded (the agent's log line; smaller when gzipped).</param>
/// <param name="Raw">The benchmark's own upload of the downloaded object with the agent's upload code.</param>
/// <param name="RawTail">The part of it after the file was read to its end: the last part and completing the multipart upload.</param>
/// <param name="RawBytes">The bytes of that upload: the object's size.</param>
/// <param name="RssBefore">Resident memory after start-up, before the operation.</param>
/// <param name="AnonBefore">The anonymous (heap, stacks; not mapped files) part of it.</param>
/// <param name="PeakRss">The kernel's high-water mark (VmHWM) once the location result arrived.</param>
/// <param name="StoreMaxRss">The largest resident memory sampled while the result was produced and stored.</param>
/// <param name="UploadMaxRss">The largest resident memory sampled while it was uploaded.</param>
/// <param name="UploadMaxAnon">The largest anonymous (heap, stacks; not mapped files) resident memory sampled while it was uploaded.</param>
/// <param name="StoreCpu">The agent's CPU seconds (user + system) while the result was produced and stored.</param>
/// <param name="UploadCpu">The agent's CPU seconds while it was uploaded.</param>
/// <param name="RawCpu">This process's CPU seconds during the raw upload.</param>
/// <param name="Load">The 1-minute load average at the start and at the end of the run.</param>
internal sealed record OffloadSample(
    double Total,
    double Store,
    double Upload,
    long StoredBytes,
    long UploadedBytes,
    double Raw,
    double RawTail,
    long RawBytes,
    double RssBefore,
    double AnonBefore,
    double PeakRss,
    double StoreMaxRss,
    double UploadMaxRss,
    double UploadMaxAnon,
    double StoreCpu,
    double UploadCpu,
    double RawCpu,
    (double Start, double End) Load)
{
    private const double Mega = 1_000_000;

    public double UploadMBps => UploadedBytes / Mega / Upload;

    /// <summary>The result's own bytes per second of upload: the same as <see cref="UploadMBps"/> unless gzipped.</summary>
    public double StoredMBps => StoredBytes / Mega / Upload;

    public double RawMBps => RawBytes / Mega / Raw;

    public double Ratio => UploadMBps / RawMBps;

    public double PeakGrowth => PeakRss - RssBefore;
}
