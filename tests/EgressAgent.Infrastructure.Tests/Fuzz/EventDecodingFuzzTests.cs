using System.Diagnostics;
using EgressAgent.Application.Events.Dispatching;
using Xunit.Abstractions;

namespace EgressAgent.Infrastructure.Tests.Fuzz;

/// <summary>
/// Property test of the decoding path (docs/protocol.md §4: nothing a server sends may crash the agent
/// or stop the stream loop; only valid events reach handlers): raw SSE data →
/// EventDispatcher.DispatchAsync → exactly the oracle's effect, or nothing.
/// </summary>
public sealed class EventDecodingFuzzTests(ITestOutputHelper output)
{
    private const int MaxReported = 10;

    [Fact]
    public async Task Fuzzed_message_data_never_throws_and_dispatches_exactly_the_valid_events()
    {
        var inputs = FuzzSettings.Inputs;
        var seed = FuzzSettings.Seed;
        var generator = new FuzzInputGenerator(seed);
        await using var harness = new DispatchHarness();
        var categories = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        var dispatched = 0;
        var unexpectedFailuresBefore = 0L;

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < inputs; i++)
        {
            var data = generator.Next();
            var expected = EventOracle.Classify(data);
            categories[expected.Category] = categories.GetValueOrDefault(expected.Category) + 1;

            bool result;
            try
            {
                result = await harness.Dispatcher.DispatchAsync(new StreamMessage(data, i % 3 == 0 ? null : i.ToString(System.Globalization.CultureInfo.InvariantCulture)), CancellationToken.None);
            }
#pragma warning disable CA1031 // the property under test is that nothing escapes; anything that does is reported
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Report(failures, i, seed, data, $"threw {ex.GetType().Name}: {ex.Message}");
                continue;
            }

            var effects = harness.TakeEffects();
            var expectedEffects = expected.Effect is null ? [] : new[] { expected.Effect };
            var rejectedAsAllowed = expected.MayReject && !result && effects.Count == 0;
            if (!rejectedAsAllowed && (result != expected.Effect is not null || !effects.SequenceEqual(expectedEffects)))
            {
                Report(failures, i, seed, data, $"expected {expected.Category} {expected.Effect}, got {result} with [{string.Join(", ", effects)}]");
            }

            // The dispatcher's catch-all is for the unforeseen; only text that is not valid UTF-16
            // (which cannot arrive over SSE, whose data is decoded from UTF-8) may end there.
            var unexpected = harness.Log.UnexpectedFailures;
            if (unexpected != unexpectedFailuresBefore && !expected.IllFormedText)
            {
                Report(failures, i, seed, data, $"reached the dispatcher's catch-all ({expected.Category})");
            }

            unexpectedFailuresBefore = unexpected;

            dispatched += result ? 1 : 0;
        }

        clock.Stop();
        output.WriteLine($"seed {seed}: {inputs} inputs tried in {clock.Elapsed.TotalSeconds:0.00} s = {inputs / clock.Elapsed.TotalSeconds:0} inputs/s; {dispatched} dispatched");
        foreach (var (category, count) in categories)
        {
            output.WriteLine($"  {count,9}  {category}");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} input(s) broke the property (first {MaxReported}):\n" + string.Join("\n", failures.Take(MaxReported)));
        Assert.Equal(0, harness.Log.HandlerFailures);

        // The generator must exercise both sides, or the property holds vacuously.
        Assert.InRange(dispatched, inputs / 10, inputs - (inputs / 10));
    }

    private static void Report(List<string> failures, int index, int seed, string data, string what) =>
        failures.Add($"#{index} (seed {seed}) {what}: {FuzzSettings.Describe(data)}");
}
