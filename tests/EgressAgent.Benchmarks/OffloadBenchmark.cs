using System.Globalization;

namespace EgressAgent.Benchmarks;

/// <summary>
/// A result of about 1 GiB offloaded to object storage (docs/protocol.md §13, docs/performance.md):
/// the real agent (JIT, or native with <c>--agent-path</c>) runs one <c>sql/query</c> against the
/// PostgreSQL of <c>EGRESS_TEST_POSTGRES</c> and uploads its result to the S3-compatible server of
/// <c>EGRESS_TEST_S3_*</c>. Per run: the time from handing out to the location result, its store and
/// upload parts, the upload's throughput against this process uploading the same bytes with the
/// same code, and the agent's resident memory before and at its peak. Medians at the end.
/// Usage: dotnet run -c Release --project tests/EgressAgent.Benchmarks -- offload [options] (see <see cref="OffloadOptions.Usage"/>).
/// </summary>
internal static class OffloadBenchmark
{
    private static readonly (string Name, string Format, Func<OffloadSample, double> Value)[] Columns =
    [
        ("total s", "0.0", s => s.Total),
        ("store s", "0.0", s => s.Store),
        ("upload s", "0.0", s => s.Upload),
        ("upload MB/s", "0.0", s => s.UploadMBps),
        ("result MB/s", "0.0", s => s.StoredMBps),
        ("raw s", "0.0", s => s.Raw),
        ("raw MB/s", "0.0", s => s.RawMBps),
        ("raw tail s", "0.0", s => s.RawTail),
        ("ratio", "0.00", s => s.Ratio),
        ("upload cpu s", "0.0", s => s.UploadCpu),
        ("raw cpu s", "0.0", s => s.RawCpu),
        ("store cpu s", "0.0", s => s.StoreCpu),
        ("rss before MiB", "0.0", s => s.RssBefore),
        ("peak rss MiB", "0.0", s => s.PeakRss),
        ("growth MiB", "0.0", s => s.PeakGrowth),
        ("store max MiB", "0.0", s => s.StoreMaxRss),
        ("upload max MiB", "0.0", s => s.UploadMaxRss),
        ("anon before MiB", "0.0", s => s.AnonBefore),
        ("upload anon MiB", "0.0", s => s.UploadMaxAnon),
        ("load", "0.0", s => (s.Load.Start + s.Load.End) / 2),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        OffloadOptions options;
        try
        {
            options = OffloadOptions.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        Console.WriteLine($"offload: {options.SizeMiB} MiB of result JSON ({options.Rows} rows of {options.RowChars} characters), {(options.Gzip ? "gzipped" : "not gzipped")}, {options.Runs} runs, {options.RunTimeout.TotalMinutes:0.#} min per run at most{(options.WarmupMiB > 0 ? $", after an unmeasured {options.WarmupMiB} MiB result" : string.Empty)}");
        Console.WriteLine($"  agent {options.Agent.Label}: {options.Agent.Executable ?? "dotnet EgressAgent.Host.dll"}; {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("  MB = 10^6 bytes; upload MB/s counts the bytes uploaded (gzipped when gzipped), result MB/s the result's own bytes");
        Console.WriteLine($"{"run",3} " + string.Join(' ', Columns.Select(c => c.Name.PadLeft(Width(c.Name)))));

        var samples = new List<OffloadSample>();
        await using (var bucket = await BenchmarkBucket.CreateAsync(CancellationToken.None))
        {
            for (var run = 1; run <= options.Runs; run++)
            {
                try
                {
                    var sample = await OffloadRun.RunAsync(options, bucket, run);
                    samples.Add(sample);
                    Console.WriteLine($"{run,3} " + string.Join(' ', Columns.Select(c => Cell(c.Value(sample), c.Format, c.Name))) + $"   ({sample.StoredBytes} bytes stored, {sample.UploadedBytes} uploaded)");
                }
                catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException or HttpRequestException)
                {
                    Console.WriteLine($"FAILED: {ex.Message}");
                    return 1;
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"medians of {samples.Count} runs ({options.Agent.Label}{(options.Gzip ? ", gzip" : string.Empty)})");
        Console.WriteLine("| figure | median |");
        Console.WriteLine("|---|---|");
        foreach (var (name, format, value) in Columns)
        {
            var sorted = samples.Select(value).Order().ToList();
            Console.WriteLine($"| {name} | {sorted[sorted.Count / 2].ToString(format, CultureInfo.InvariantCulture)} |");
        }

        return 0;
    }

    private static int Width(string name) => Math.Max(name.Length, 6);

    private static string Cell(double value, string format, string name) =>
        value.ToString(format, CultureInfo.InvariantCulture).PadLeft(Width(name));
}
