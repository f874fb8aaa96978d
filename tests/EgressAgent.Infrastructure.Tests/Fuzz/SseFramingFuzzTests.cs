using System.Net.ServerSentEvents;
using System.Text;
using System.Text.RegularExpressions;
using EgressAgent.Infrastructure.Stream;
using EgressAgent.Infrastructure.Tests.Stream;
using Xunit.Abstractions;

namespace EgressAgent.Infrastructure.Tests.Fuzz;

/// <summary>
/// The framing half of the decoding path, fuzzed with the same generator (a smaller budget:
/// EGRESS_FUZZ_INPUTS / 10 and / 20): whatever bytes arrive, framing either yields messages or
/// fails with the intended InvalidDataException for a message over the bound — nothing else.
/// </summary>
public sealed partial class SseFramingFuzzTests(ITestOutputHelper output)
{
    private static readonly int[] Limits = [16, 64, 256, 1024, 4096];
    private static readonly string[] LineEnds = ["\n", "\r\n", "\r"];

    [Fact]
    public async Task Random_bytes_through_the_bounded_stream_and_SseParser_fail_only_for_oversized_messages()
    {
        var inputs = Math.Max(200, FuzzSettings.Inputs / 10);
        var seed = FuzzSettings.Seed;
        var random = new Random(seed);
        var generator = new FuzzInputGenerator(seed);
        var failures = new List<string>();
        var oversized = 0;
        var messages = 0L;

        for (var i = 0; i < inputs; i++)
        {
            var bytes = RandomSseBytes(random, generator);
            var limit = Limits[random.Next(Limits.Length)];
            var expectOversized = HasBlockOver(bytes, limit);
            var activity = 0;
            await using var body = new BoundedActivityStream(new ChunkedStream(bytes, random, 1 + random.Next(64)), () => activity++, limit);
            var parser = SseParser.Create(body, static (_, data) => Encoding.UTF8.GetString(data));
            var failed = false;
            try
            {
                await foreach (var item in parser.EnumerateAsync())
                {
                    messages++;
                }
            }
            catch (InvalidDataException)
            {
                failed = true;
            }
#pragma warning disable CA1031 // anything else escaping is what this test looks for
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures.Add($"#{i} (seed {seed}) threw {ex.GetType().Name}: {ex.Message}");
                continue;
            }

            oversized += failed ? 1 : 0;
            if (failed != expectOversized || (bytes.Length > 0 && activity == 0))
            {
                failures.Add($"#{i} (seed {seed}, limit {limit}) expected oversized={expectOversized}, got {failed}, activity {activity}: {FuzzSettings.Describe(Encoding.UTF8.GetString(bytes))}");
            }
        }

        output.WriteLine($"seed {seed}: {inputs} byte streams, {messages} messages, {oversized} dropped as oversized");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.InRange(oversized, 1, inputs - 1); // both sides of the bound were exercised
    }

    [Fact]
    public async Task Fuzzed_data_framed_as_SSE_comes_out_of_the_event_stream_intact()
    {
        var count = Math.Max(100, FuzzSettings.Inputs / 20);
        var seed = FuzzSettings.Seed;
        var random = new Random(seed);
        var generator = new FuzzInputGenerator(seed);
        await using var harness = new StreamHarness();
        var body = (await harness.Server.NextConnectionAsync()).RespondWithStream();

        var expected = new List<(string Data, string? Id)>();
        for (var i = 0; i < count; i++)
        {
            var data = generator.Next();
            var id = random.Next(3) == 0 ? $"id-{i}" : null;
            var wire = Encoding.UTF8.GetBytes(Frame(data, id, random));

            // Lone surrogates cannot be sent as UTF-8: they arrive as U+FFFD.
            var lines = LineBreak().Split(data);
            expected.Add((Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(string.Join("\n", lines))), id));
            for (var at = 0; at < wire.Length;)
            {
                var length = Math.Min(wire.Length - at, 1 + random.Next(2048));
                body.Send(wire[at..(at + length)]);
                at += length;
            }
        }

        body.Send(": flush a trailing CR\n");
        for (var i = 0; i < count; i++)
        {
            var message = await harness.NextMessageAsync();
            Assert.True(expected[i].Data == message.Data, $"message #{i} (seed {seed}) data differs: sent {FuzzSettings.Describe(expected[i].Data)}, got {FuzzSettings.Describe(message.Data)}");
            Assert.Equal(expected[i].Id, message.EventId);
        }

        Assert.Equal(1, harness.Server.RequestCount);
        output.WriteLine($"seed {seed}: {count} fuzzed messages framed and read back intact");
    }

    /// <summary>One SSE message carrying <paramref name="data"/>, with line ends and the other fields SSE allows mixed in.</summary>
    private static string Frame(string data, string? id, Random random)
    {
        var lines = new List<string>();
        foreach (var line in LineBreak().Split(data))
        {
            lines.Add("data: " + line);
        }

        var extras = random.Next(4);
        for (var i = 0; i < extras; i++)
        {
            lines.Insert(random.Next(lines.Count + 1), random.Next(4) switch
            {
                0 => ": keep-alive " + random.Next(),
                1 => "event: ignored",
                2 => "retry: " + random.Next(-5, 100_000),
                _ => "unknown-field: " + random.Next(),
            });
        }

        if (id is not null)
        {
            lines.Insert(random.Next(lines.Count + 1), "id: " + id);
        }

        var builder = new StringBuilder();
        var lastEnd = "\n";
        foreach (var line in lines)
        {
            lastEnd = LineEnds[random.Next(LineEnds.Length)];
            builder.Append(line).Append(lastEnd);
        }

        // The blank line that ends the message: after a CR, a lone LF would only complete a CRLF.
        return builder.Append(lastEnd == "\r" ? "\r" : LineEnds[random.Next(LineEnds.Length)]).ToString();
    }

    private static byte[] RandomSseBytes(Random random, FuzzInputGenerator generator)
    {
        var bytes = new List<byte>();
        var pieces = random.Next(0, 24);
        for (var i = 0; i < pieces; i++)
        {
            switch (random.Next(10))
            {
                case 0:
                    var raw = new byte[random.Next(1, 24)];
                    random.NextBytes(raw);
                    bytes.AddRange(raw);
                    break;
                case 1:
                    bytes.AddRange(new byte[random.Next(1, 5000)].Select(_ => (byte)'x')); // a long line
                    break;
                case 2:
                    bytes.AddRange(Encoding.UTF8.GetBytes(generator.Next()));
                    break;
                default:
                    var line = random.Next(8) switch
                    {
                        0 => "data: " + generator.RandomText(40),
                        1 => "data",
                        2 => ": " + generator.RandomText(10),
                        3 => "id: " + generator.RandomText(6),
                        4 => "retry: " + random.Next(-10, 1_000_000),
                        5 => "event: " + generator.RandomText(5),
                        6 => string.Empty,
                        _ => "\uFEFF" + generator.RandomText(8),
                    };
                    bytes.AddRange(Encoding.UTF8.GetBytes(line + LineEnds[random.Next(LineEnds.Length)]));
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>
    /// Whether some message — the bytes of the lines between two blank lines, line ends not
    /// counted — is longer than <paramref name="limit"/>. Works on the whole input at once, so
    /// it does not share the streaming counter's handling of reads that split a CRLF.
    /// </summary>
    private static bool HasBlockOver(byte[] bytes, int limit)
    {
        var text = Encoding.Latin1.GetString(bytes); // one char per byte: lengths stay byte counts
        var block = 0L;
        foreach (var line in LineBreak().Split(text))
        {
            block = line.Length == 0 ? 0 : block + line.Length;
            if (block > limit)
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex("\r\n|\r|\n")]
    private static partial Regex LineBreak();
}
