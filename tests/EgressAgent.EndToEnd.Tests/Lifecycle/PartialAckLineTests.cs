using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>
/// docs/adr/0032 through the real process: an acks file whose last line a crash cut short (the
/// append of an ack lost its line feed) names nothing, and the next process cuts that line off
/// before it appends its own first ack. Were it left, that ack would join it: the partial
/// <c>L</c> and the ack <c>0</c> of the record at offset 0 make <c>L0</c>, and with records of one
/// length L that is the offset of the eleventh record. The process after that would then take
/// the eleventh for delivered (never sent) and the first for not (sent twice).
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class PartialAckLineTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_ack_line_cut_by_a_crash_is_cut_off_before_the_next_ack_so_across_two_restarts_no_result_is_lost_or_published_twice()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        Func<string, bool> refuse = _ => true; // read per result PUT: which operations are answered 503
        emulator.FailResultsFor(id => Volatile.Read(ref refuse)(id), 503);

        // Eleven results of one length (ids, trace ids and bodies alike), stored in this order by one worker.
        var stored = Enumerable.Range(0, 11).Select(i => $"pa-{i:D2}").ToList();
        foreach (var id in stored)
        {
            emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = $"t-{id}", ["n"] = 10 }, id);
        }

        // 1. The first process delivers pa-01 only and is killed.
        Volatile.Write(ref refuse, id => id != stored[1]);
        await using (var first = AgentProcess.Start(emulator, data, output, s => s.Set("Operations:Workers", "1")))
        {
            await emulator.WaitForAcceptedResultAsync(stored[1], Bound);
            foreach (var id in stored.Where(id => id != stored[1]))
            {
                await emulator.WaitForRequestAsync(r => Wire.IsResultOf(r, id) && r.StatusCode == 503, Bound);
            }

            // The ack follows the answer with nothing on the wire to show for it.
            await Poll.UntilAsync(() => StoredResults.OperationIds(outbox).Count == 10, Bound, "the ack of pa-01");
            first.KillHard();
            await first.WaitForExitAsync(Bound);
        }

        var segment = Assert.Single(Directory.GetFiles(outbox, "*.segment"));
        var records = StoredResults.Records(segment);
        Assert.Equal(stored, records.Select(r => r.OperationId));
        var length = records[1].Offset; // premise: lines of one length, so "<L>" + "0" is the eleventh record's offset
        Assert.Equal(10 * length, records[10].Offset);
        var acks = segment + ".acks";
        Assert.Equal(length.ToString(CultureInfo.InvariantCulture) + "\n", await File.ReadAllTextAsync(acks));

        // The crash came in the middle of that append: the ack of pa-01 lost its line feed. pa-01
        // is then not acknowledged, and sending it once more is what E2 allows.
        await using (var file = new FileStream(acks, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(file.Length - 1);
        }

        // 2. The next process delivers pa-00 only, the first ack it appends to that file, and
        //    stores new results, refused too; then a graceful stop.
        var later = Enumerable.Range(0, 3).Select(i => emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = $"t-later-{i}" })).ToList();
        Volatile.Write(ref refuse, id => id != stored[0]);
        var secondStarted = DateTimeOffset.UtcNow;
        await using (var second = AgentProcess.Start(emulator, data, output, s => s.Set("Shutdown:Budget", "00:00:02")))
        {
            await emulator.WaitForAcceptedResultAsync(stored[0], Bound);
            foreach (var id in later.Append(stored[1]).Append(stored[10]))
            {
                await emulator.WaitForRequestAsync(r => Wire.IsResultOf(r, id) && r.StatusCode == 503 && r.At > secondStarted, Bound);
            }

            second.Signal(PosixSignal.SIGTERM);
            Assert.Equal(0, await second.WaitForExitAsync(Bound));
        }

        // 3. The second restart, everything accepted: pa-01 to pa-10 and the new results, each once.
        Volatile.Write(ref refuse, _ => false);
        var expected = stored.Skip(1).Concat(later).ToList();
        await using (var third = AgentProcess.Start(emulator, data, output))
        {
            await emulator.WaitForResultsAsync(2 + expected.Count, Bound); // pa-01 and pa-00 were accepted before
            third.Signal(PosixSignal.SIGTERM);
            Assert.Equal(0, await third.WaitForExitAsync(Bound));
            Assert.DoesNotContain(third.Lines, l => l.Contains("corrupt", StringComparison.Ordinal));
        }

        var accepted = emulator.Results.Where(r => r.Accepted).Select(r => r.OperationId).ToList();
        output.WriteLine($"accepted, in order: {string.Join(", ", accepted)}");
        // Each once; pa-01 twice: before the crash, and again since its ack never ended. pa-00's ack held.
        Assert.Equal(stored.Concat(later).Append(stored[1]).Order(StringComparer.Ordinal), accepted.Order(StringComparer.Ordinal));
        Assert.Equal(stored.Count + later.Count, emulator.HandedOut.Count); // none ran again
        Assert.False(Directory.Exists(Path.Combine(data.Path, "quarantine")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outbox));
    }
}
