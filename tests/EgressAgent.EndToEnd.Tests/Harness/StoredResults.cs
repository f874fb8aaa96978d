using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// Reads an outbox directory from outside, as an operator would (docs/adr/0032): the operation ids
/// of the results stored and not yet acknowledged, from both layouts: the records of each
/// <c>*.segment</c> whose offsets its <c>.acks</c> does not name, and each <c>*.result.json</c>.
/// A stored result that is not whole JSON throws, so a test that reads it fails.
/// </summary>
internal static class StoredResults
{
    /// <summary>Deeper than any result the agent writes (its JSON writer stops at 1,000): stored results are read back whatever their depth.</summary>
    private static readonly JsonDocumentOptions AnyDepth = new() { MaxDepth = 100_000 };

    public static List<string> OperationIds(string outbox) => [.. Pending(outbox).Select(r => r.OperationId)];

    /// <summary>Each stored result not yet acknowledged: its operation id and its result's JSON text exactly as stored.</summary>
    public static List<(string OperationId, string Result)> Pending(string outbox)
    {
        var ids = new List<(string OperationId, string Result)>();
        foreach (var segment in Directory.GetFiles(outbox, "*.segment"))
        {
            var acks = File.Exists(segment + ".acks") ? Acks(File.ReadAllText(segment + ".acks")) : [];
            ids.AddRange(Records(segment).Where(r => !acks.Contains(r.Offset)).Select(r => (r.OperationId, r.Result)));
        }

        ids.AddRange(Directory.GetFiles(outbox, "*.result.json").Select(f => OperationIdOf(File.ReadAllText(f))));
        return ids;
    }

    /// <summary>Every record of <paramref name="segment"/> in file order, acknowledged or not: where its line starts, its operation id, its result.</summary>
    public static List<(long Offset, string OperationId, string Result)> Records(string segment)
    {
        var records = new List<(long Offset, string OperationId, string Result)>();
        var bytes = File.ReadAllBytes(segment);
        for (var start = 0; start < bytes.Length;)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            Assert.True(end >= 0, $"{segment} ends in an incomplete record at {start}");
            var (operationId, result) = OperationIdOf(Encoding.UTF8.GetString(bytes, start, end - start));
            records.Add((start, operationId, result));
            start = end + 1;
        }

        return records;
    }

    /// <summary>The offsets of the whole lines: a last line without its line feed (a crash in the middle of an append) names nothing, as for the agent.</summary>
    private static HashSet<long> Acks(string text) =>
        [.. text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.Parse(l, CultureInfo.InvariantCulture))];

    private static (string OperationId, string Result) OperationIdOf(string json)
    {
        using var document = JsonDocument.Parse(json, AnyDepth);
        var root = document.RootElement;
        return (root.GetProperty("operation_id").GetString()!, root.GetProperty("result").GetRawText());
    }
}
