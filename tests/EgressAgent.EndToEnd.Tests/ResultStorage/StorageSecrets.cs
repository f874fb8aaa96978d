using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.Tests.Shared;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// The object store's secrets stay where they belong (docs/protocol.md §13, §10 "Secrets"): the
/// access key, the secret key and the signature of every pre-signed URL appear in no line the agent
/// wrote, in no published result but inside the location itself (which carries the access key in
/// its credential scope and its own signature by design), and in no file of the data directory.
/// </summary>
internal static class StorageSecrets
{
    /// <summary>Fails naming where a secret showed.</summary>
    public static void AssertNowhere(IReadOnlyList<string> secrets, IEnumerable<string> lines, IEnumerable<JsonObject> published, IEnumerable<string> storedText)
    {
        Assert.NotEmpty(secrets);
        var lineList = lines.ToList();
        var stored = storedText.ToList();
        Assert.NotEmpty(lineList); // an agent that said nothing proves nothing
        foreach (var secret in secrets)
        {
            Assert.False(string.IsNullOrEmpty(secret), "an empty secret matches everything");
            var line = lineList.FindIndex(l => l.Contains(secret, StringComparison.Ordinal));
            Assert.True(line < 0, $"agent output line {line} shows a secret of the store");
            Assert.False(stored.Exists(t => t.Contains(secret, StringComparison.Ordinal)), "a file of the data directory shows a secret of the store");
        }

        foreach (var result in published)
        {
            var rest = result.DeepClone().AsObject();
            if (rest.Remove("__mcd_result_location__", out var location))
            {
                Assert.DoesNotContain(S3CompatibleFactAttribute.SecretKey!, location!.GetValue<string>(), StringComparison.Ordinal);
            }

            var text = rest.ToJsonString();
            Assert.False(secrets.Any(s => text.Contains(s, StringComparison.Ordinal)), $"a published result shows a secret of the store outside its location: {Excerpt(text)}");
        }
    }

    /// <summary>For results as the emulator recorded them.</summary>
    public static void AssertNowhere(IReadOnlyList<string> secrets, IEnumerable<string> lines, IEnumerable<RecordedResult> published, string dataDirectory) =>
        AssertNowhere(secrets, lines, published.Select(r => r.Result ?? new JsonObject { ["raw"] = r.RawBody }), StoredText(dataDirectory));

    /// <summary>The text of every file of a data directory (the lock file aside: it holds a pid).</summary>
    public static List<string> StoredText(string dataDirectory) =>
        [.. Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))
            .Select(File.ReadAllText)];

    private static string Excerpt(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
