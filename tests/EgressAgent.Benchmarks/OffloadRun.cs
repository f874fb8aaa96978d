using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EgressAgent.Emulator;

namespace EgressAgent.Benchmarks;

/// <summary>
/// One run of <c>offload</c>: a fresh emulator, data directory and agent process; one
/// <c>sql/query</c> whose result is about <see cref="OffloadOptions.SizeMiB"/> of JSON over a
/// 1 MiB <c>response_size_limit_bytes</c>; the location result; the object fetched and checked;
/// then the same bytes uploaded again by this process with the agent's upload code.
/// Every step is bounded by the run's timeout; a failure throws with what was waited for.
/// </summary>
internal static class OffloadRun
{
    private const string TokenId = "bench-id";
    private const string TokenSecret = "bench-secret";
    private const string Connection = "bench";
    private const long SizeLimit = 1024 * 1024;
    private static readonly TimeSpan SettleAfterStart = TimeSpan.FromSeconds(2);

    public static async Task<OffloadSample> RunAsync(OffloadOptions options, BenchmarkBucket bucket, int run)
    {
        using var bound = new CancellationTokenSource(options.RunTimeout);
        var step = "starting the emulator";
        var loadAtStart = LoadAverage();
        var data = Path.Combine(Path.GetTempPath(), $"egress-bench-{Guid.NewGuid():N}");
        Process? agent = null;
        AgentLog? log = null;
        try
        {
            await using var emulator = await OrchestratorEmulator.StartAsync(new EmulatorOptions { TokenId = TokenId, TokenSecret = TokenSecret }, bound.Token);
            step = "the agent's event stream";
            agent = StartAgent(options, bucket, emulator, data);
            log = AgentLog.Attach(agent, options.Echo);
            await emulator.WaitForRequestAsync(r => r.Path == "/stream", TimeSpan.FromSeconds(60), bound.Token);
            var expected = 1;
            if (options.WarmupMiB > 0)
            {
                // A long-running agent has loaded and compiled the query and upload code already: what
                // the big result costs, without what the first use of that code costs.
                step = "the warm-up result";
                emulator.Enqueue(QueryPath, Operation(options, $"bench-warmup-{run}", OffloadOptions.RowsFor(options.WarmupMiB, options.RowChars)));
                emulator.SendEvent(new { type = "work_available" });
                await emulator.WaitForResultsAsync(expected++, options.RunTimeout, bound.Token);
            }

            await Task.Delay(SettleAfterStart, bound.Token);
            var before = ProcStatus.Read(agent.Id);

            step = "the location result";
            var traceId = $"bench-offload-{run}";
            var operationId = emulator.Enqueue(QueryPath, Operation(options, traceId, options.Rows));
            OffloadSample sample;
            await using (var sampler = new ProcessSampler(agent.Id))
            {
                emulator.SendEvent(new { type = "work_available" });
                var result = (await emulator.WaitForResultsAsync(expected, options.RunTimeout, bound.Token)).Single(r => r.OperationId == operationId);
                var peak = ProcStatus.Read(agent.Id);

                step = "the agent's log lines for the stored result and its upload";
                var handedOut = emulator.HandedOut.Single(h => h.OperationId == operationId).At;
                var (storedAt, _) = await log.WaitForAsync(new Regex($"Operation {Regex.Escape(operationId)} finished with "), bound.Token);
                var (offloadedAt, offloaded) = await log.WaitForAsync(new Regex($"Result of {Regex.Escape(operationId)} offloaded to \\S+: (\\d+) bytes stored, (\\d+) uploaded"), bound.Token);
                var location = result.Result?[Location]?.GetValue<string>()
                    ?? throw new InvalidOperationException($"the result is not a location: {Truncated(result.RawBody)}");

                step = "downloading and checking the object";
                var stored = long.Parse(offloaded.Groups[1].Value, CultureInfo.InvariantCulture);
                var uploaded = long.Parse(offloaded.Groups[2].Value, CultureInfo.InvariantCulture);
                using var downloaded = await DownloadedObject.FetchAsync(new Uri(location), traceId, options.Gzip, options.WorkDirectory, bound.Token);
                Check(downloaded, stored, uploaded);

                step = "the raw upload of the same bytes";
                using var self = Process.GetCurrentProcess();
                var rawCpuBefore = self.TotalProcessorTime;
                var (rawBytes, raw, rawTail) = await bucket.UploadRawAsync($"raw/{traceId}", downloaded.Path, bound.Token);
                self.Refresh();
                var rawCpu = (self.TotalProcessorTime - rawCpuBefore).TotalSeconds;
                sample = new OffloadSample(
                    (result.At - handedOut).TotalSeconds,
                    (storedAt - handedOut).TotalSeconds,
                    (offloadedAt - storedAt).TotalSeconds,
                    stored,
                    uploaded,
                    raw.TotalSeconds,
                    rawTail.TotalSeconds,
                    rawBytes,
                    before.RssMiB,
                    before.AnonMiB,
                    peak.PeakMiB,
                    sampler.MaxRssBetween(handedOut, storedAt),
                    sampler.MaxRssBetween(storedAt, offloadedAt),
                    sampler.MaxAnonBetween(storedAt, offloadedAt),
                    sampler.CpuBetween(handedOut, storedAt),
                    sampler.CpuBetween(storedAt, offloadedAt),
                    rawCpu,
                    (loadAtStart, LoadAverage()));
            }

            step = "the agent's exit";
            emulator.SendEvent(new { type = "goodbye", reason = "benchmark done" });
            await agent.WaitForExitAsync(bound.Token).WaitAsync(TimeSpan.FromSeconds(30), bound.Token);
            return sample;
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            throw new TimeoutException($"run {run} timed out after {options.RunTimeout.TotalMinutes:0.#} min waiting for {step}{Problems(log)}");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"run {run}: {step} did not come ({ex.Message}){Problems(log)}", ex);
        }
        finally
        {
            if (agent is { HasExited: false })
            {
                agent.Kill(entireProcessTree: true);
            }

            agent?.Dispose();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }

            await bucket.TryDeleteObjectsAsync();
        }
    }

    private const string Location = "__mcd_result_location__";
    private const string QueryPath = "/api/v1/agent/execute/sql/query";

    private static JsonObject Operation(OffloadOptions options, string traceId, long rows) => new()
    {
        ["trace_id"] = traceId,
        ["connection"] = Connection,
        ["query"] = $"SELECT repeat('x', {options.RowChars}) AS filler FROM generate_series(1, {rows})",
        ["limit"] = rows,
        ["timeout"] = (int)options.RunTimeout.TotalSeconds,
        ["response_size_limit_bytes"] = SizeLimit,
        ["compress_response_file"] = options.Gzip,
    };

    private static void Check(DownloadedObject downloaded, long stored, long uploaded)
    {
        if (downloaded.Problem is { } problem)
        {
            throw new InvalidOperationException($"the object {problem}");
        }

        if (downloaded.Bytes != uploaded || downloaded.ResultBytes != stored)
        {
            throw new InvalidOperationException($"the object has {downloaded.Bytes} bytes ({downloaded.ResultBytes} as a result object); the agent logged {uploaded} uploaded, {stored} stored");
        }
    }

    private static Process StartAgent(OffloadOptions options, BenchmarkBucket bucket, OrchestratorEmulator emulator, string data)
    {
        var start = options.Agent.StartInfo();
        start.Environment["EgressAgent__Orchestrator__BaseUrl"] = emulator.BaseUrl.ToString();
        start.Environment["EgressAgent__Orchestrator__TokenId"] = TokenId;
        start.Environment["EgressAgent__Orchestrator__TokenSecret"] = TokenSecret;
        start.Environment["EgressAgent__Storage__DataDirectory"] = data;
        start.Environment[$"EgressAgent__Connections__{Connection}__Provider"] = "postgres";
        start.Environment[$"EgressAgent__Connections__{Connection}__ConnectionString"] = options.Postgres;
        foreach (var (name, value) in bucket.AgentEnvironment())
        {
            start.Environment[name] = value;
        }

        // The agent's own information lines time the steps (stored, offloaded); the framework's stay quiet.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__EgressAgent"] = "Information";
        return Process.Start(start) ?? throw new InvalidOperationException($"{options.Agent.Label} agent did not start");
    }

    /// <summary>The 1-minute load average: how busy the shared machine was.</summary>
    internal static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private static string Problems(AgentLog? log) =>
        log?.Problems(5) is { Count: > 0 } lines ? $"; the agent's last warnings:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", lines)}" : string.Empty;

    private static string Truncated(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
