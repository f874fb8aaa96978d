using System.Globalization;
using EgressAgent.EndToEnd.Tests.Harness;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>
/// Reads the agent's own account of events the emulator cannot see (an operation finishing, a
/// piggybacked one admitted). Console lines start with a UTC <c>HH:mm:ss.fff</c> timestamp taken
/// when the agent logged (Host AddAgentConsole); the test and the agent share the clock.
/// </summary>
internal static class AgentLog
{
    /// <summary>When the worker logged <paramref name="operationId"/> as finished: after its result was stored, before its slot was freed.</summary>
    public static async Task<DateTimeOffset> FinishedAtAsync(AgentProcess agent, string operationId, DateTimeOffset near, TimeSpan timeout)
    {
        var marker = $"Operation {operationId} finished with ";
        var line = await agent.WaitForLineAsync(l => l.Contains(marker, StringComparison.Ordinal), timeout);
        return TimeOf(line, near);
    }

    /// <summary>
    /// The time of day a line was logged, on the day that puts it closest to <paramref name="near"/>
    /// (a run may cross midnight). The timestamp is truncated to the millisecond, so the event
    /// happened within the millisecond after the returned time.
    /// </summary>
    public static DateTimeOffset TimeOf(string line, DateTimeOffset near)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Length < 12 || !TimeSpan.TryParseExact(line.AsSpan(0, 12), @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture, out var timeOfDay))
        {
            throw new FormatException($"The agent line does not start with an HH:mm:ss.fff timestamp: {line}");
        }

        var day = new DateTimeOffset(near.UtcDateTime.Date, TimeSpan.Zero);
        return new[] { day.AddDays(-1), day, day.AddDays(1) }
            .Select(d => d + timeOfDay)
            .MinBy(candidate => (candidate - near).Duration());
    }
}
