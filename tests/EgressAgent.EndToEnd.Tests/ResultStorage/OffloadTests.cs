using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.EndToEnd.Tests.Connectors;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// docs/protocol.md §13 through the real agent process against a real S3-compatible server (s3rver,
/// started by <c>.ci/run</c>): a result over <c>response_size_limit_bytes</c> is uploaded whole to
/// <c>&lt;prefix&gt;/responses/&lt;trace_id&gt;</c> (gzipped when asked) and its pre-signed location
/// published; <c>response_type: url</c> uploads the value alone; a result over
/// <c>compress_response_threshold_bytes</c> is published gzipped inline; a small one as it is. Every
/// location is fetched here and its body compared with the result the agent would have published;
/// no key of the store nor any URL's signature shows outside the locations.
/// </summary>
public sealed class OffloadTests(ITestOutputHelper output)
{
    private const string Echo = EmulatorWaits.EchoPath;

    [S3CompatibleFact]
    public async Task Large_url_and_compressed_results_go_out_as_section_13_says()
    {
        var bucket = await TestBucket.CreateAsync();
        var filler = new string('x', 4000);
        var run = await ConnectorRun.RunAsync(
            output,
            new Dictionary<string, ConnectorOperation>
            {
                ["offloaded"] = new(Echo, new JsonObject { ["trace_id"] = "t-big", ["response_size_limit_bytes"] = 1000, ["filler"] = filler }),
                ["gzipped"] = new(Echo, new JsonObject { ["trace_id"] = "t-gz", ["response_size_limit_bytes"] = 1000, ["compress_response_file"] = true, ["filler"] = filler }),
                ["url"] = new(Echo, new JsonObject { ["trace_id"] = "t-url", ["response_type"] = "url", ["v"] = 1 }),
                ["inline"] = new(Echo, new JsonObject { ["trace_id"] = "t-inline", ["compress_response_threshold_bytes"] = 100, ["filler"] = filler }),
                ["small"] = new(Echo, new JsonObject { ["trace_id"] = "t-small", ["response_size_limit_bytes"] = 100000, ["compress_response_threshold_bytes"] = 100000 }),
            },
            settings => bucket.Configure(settings));

        using var client = new HttpClient();
        var body = await client.GetStringAsync(bucket.LocationOf(run["offloaded"], "t-big", output));
        Assert.Equal("t-big", JsonNode.Parse(body)!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(filler, JsonNode.Parse(body)!["__mcd_result__"]!["filler"]!.GetValue<string>());

        var gzipped = run["gzipped"];
        Assert.True(gzipped["__mcd_result_compressed__"]!.GetValue<bool>());
        var unzipped = Gunzip(await client.GetByteArrayAsync(bucket.LocationOf(gzipped, "t-gz", output, compressed: true)));
        Assert.Equal(filler, JsonNode.Parse(unzipped)!["__mcd_result__"]!["filler"]!.GetValue<string>());

        var value = JsonNode.Parse(await client.GetStringAsync(bucket.LocationOf(run["url"], "t-url", output)))!;
        Assert.Equal(1, value["v"]!.GetValue<int>()); // the value alone: no __mcd_result__ around it
        Assert.Null(value["__mcd_trace_id__"]);

        var inline = run["inline"];
        Assert.Equal("bytes", inline["__type__"]!.GetValue<string>());
        var inflated = JsonNode.Parse(Gunzip(Convert.FromBase64String(inline["__data__"]!.GetValue<string>())))!;
        Assert.Equal("t-inline", inflated["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(filler, inflated["__mcd_result__"]!["filler"]!.GetValue<string>());

        Assert.Equal("t-small", run["small"]["__mcd_trace_id__"]!.GetValue<string>());
        Assert.NotNull(run["small"]["__mcd_result__"]);
        StorageSecrets.AssertNowhere(bucket.Secrets, run.Lines, run.Results.Values, run.StoredText);
    }

    private static string Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
