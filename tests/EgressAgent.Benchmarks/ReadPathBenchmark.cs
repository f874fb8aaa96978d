using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Infrastructure.Outbox;
using EgressAgent.Infrastructure.ResultStorage;

namespace EgressAgent.Benchmarks;

/// <summary>
/// The local half of an offload, no network: a stored result read into upload parts, the way the
/// raw upload of <c>offload</c> reads it (a file straight into the part buffer) against the way the
/// agent reads it (the outbox's <see cref="FileResultBody"/> through <see cref="PipedContent"/>), and
/// through pipes of larger segments for comparison. Prints wall and CPU time per way, three rounds.
/// Usage: dotnet run -c Release --project tests/EgressAgent.Benchmarks -- read-path [--size-mib 1024].
/// </summary>
internal static class ReadPathBenchmark
{
    private const int PartSize = 8 * 1024 * 1024;
    private const int Rounds = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var sizeMiB = args is ["--size-mib", var size] ? int.Parse(size, CultureInfo.InvariantCulture) : 1024;
        var path = Path.Combine(Path.GetTempPath(), $"egress-bench-read-{Guid.NewGuid():N}");
        try
        {
            await WriteFileAsync(path, (long)sizeMiB * 1024 * 1024);
            var length = new FileInfo(path).Length;
            var part = new byte[PartSize];
            Console.WriteLine($"read-path: {length} bytes into {PartSize / 1024 / 1024} MiB parts, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");
            for (var round = 1; round <= Rounds; round++)
            {
                await MeasureAsync(round, "file → part", () => FromFileAsync(path, part));
                await MeasureAsync(round, "outbox → PipedContent → part", () => ThroughPipedContentAsync(path, length, part));
                await MeasureAsync(round, "outbox → pipe, 64 KiB segments → part", () => ThroughPipeAsync(path, length, part, 64 * 1024));
            }

            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task WriteFileAsync(string path, long length)
    {
        var block = new byte[1024 * 1024];
        Array.Fill(block, (byte)'x');
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
        for (var written = 0L; written < length; written += block.Length)
        {
            await file.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, length - written)));
        }
    }

    private static async Task<long> FromFileAsync(string path, byte[] part)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await DrainAsync(file, part);
    }

    private static async Task<long> ThroughPipedContentAsync(string path, long length, byte[] part)
    {
        var body = new FileResultBody(path, 0, length);
        await using var content = PipedContent.Start(body.CopyToAsync, CancellationToken.None);
        return await DrainAsync(content, part);
    }

    /// <summary>As <see cref="PipedContent"/> but with the pipe's segments (4 KiB by default) this large.</summary>
    private static async Task<long> ThroughPipeAsync(string path, long length, byte[] part, int segment)
    {
        var body = new FileResultBody(path, 0, length);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, minimumSegmentSize: segment, useSynchronizationContext: false));
        var producer = Task.Run(async () =>
        {
            await using (var writer = pipe.Writer.AsStream(leaveOpen: true))
            {
                await body.CopyToAsync(writer, CancellationToken.None);
            }

            await pipe.Writer.CompleteAsync();
        });
        var total = await DrainAsync(pipe.Reader.AsStream(), part);
        await producer;
        return total;
    }

    private static async Task<long> DrainAsync(Stream content, byte[] part)
    {
        long total = 0;
        int filled;
        while ((filled = await PartReader.FillAsync(content, part, CancellationToken.None)) > 0)
        {
            total += filled;
        }

        return total;
    }

    private static async Task MeasureAsync(int round, string name, Func<Task<long>> run)
    {
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var bytes = await run();
        var elapsed = Stopwatch.GetElapsedTime(started);
        self.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{round} {name,-40} {bytes} bytes {elapsed.TotalSeconds,6:0.00} s {(self.TotalProcessorTime - cpu).TotalSeconds,6:0.00} cpu s  load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
    }
}
