using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// Reads an outbox directory from outside, as an operator would (docs/adr/0032): the operation ids
/// of the results stored and not yet acknowledged, from both layouts: the records of each
/// <c>*.segment</c> whose offsets its <c>.acks</c> does not name, and each <c>*.result.json</c>.
/// A stored result that is not whole JSON throws, so a test that reads it fails.
/// </summary>
internal static class StoredResults
{
    public static List<string> OperationIds(string outbox)
    {
        var ids = new List<string>();
        foreach (var segment in Directory.GetFiles(outbox, "*.segment"))
        {
            var acks = File.Exists(segment + ".acks")
                ? File.ReadAllLines(segment + ".acks").Where(l => l.Length > 0).Select(l => long.Parse(l, CultureInfo.InvariantCulture)).ToHashSet()
                : [];
            var bytes = File.ReadAllBytes(segment);
            for (var start = 0; start < bytes.Length;)
            {
                var end = Array.IndexOf(bytes, (byte)'\n', start);
                Assert.True(end >= 0, $"{segment} ends in an incomplete record at {start}");
                if (!acks.Contains(start))
                {
                    ids.Add(OperationIdOf(Encoding.UTF8.GetString(bytes, start, end - start)));
                }

                start = end + 1;
            }
        }

        ids.AddRange(Directory.GetFiles(outbox, "*.result.json").Select(f => OperationIdOf(File.ReadAllText(f))));
        return ids;
    }

    private static string OperationIdOf(string json) => JsonNode.Parse(json)!["operation_id"]!.GetValue<string>();
}
