using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
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
/// location is fetched here and its body compared with the result the agent would have published.
/// </summary>
public sealed class OffloadTests(ITestOutputHelper output)
{
    private const string Echo = EmulatorWaits.EchoPath;

    [S3CompatibleFact]
    public async Task Large_url_and_compressed_results_go_out_as_section_13_says()
    {
        var bucket = await CreateBucketAsync();
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
            settings => Configure(settings, bucket));

        using var client = new HttpClient();
        var offloaded = run["offloaded"];
        Assert.Equal(["__mcd_result_location__", "__mcd_trace_id__"], offloaded.Select(p => p.Key));
        var body = await client.GetStringAsync(LocationOf(offloaded, bucket, "t-big"));
        Assert.Equal("t-big", JsonNode.Parse(body)!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(filler, JsonNode.Parse(body)!["__mcd_result__"]!["filler"]!.GetValue<string>());

        var gzipped = run["gzipped"];
        Assert.True(gzipped["__mcd_result_compressed__"]!.GetValue<bool>());
        var unzipped = Gunzip(await client.GetByteArrayAsync(LocationOf(gzipped, bucket, "t-gz")));
        Assert.Equal(filler, JsonNode.Parse(unzipped)!["__mcd_result__"]!["filler"]!.GetValue<string>());

        var url = run["url"];
        Assert.Null(url["__mcd_result_compressed__"]);
        var value = JsonNode.Parse(await client.GetStringAsync(LocationOf(url, bucket, "t-url")))!;
        Assert.Equal(1, value["v"]!.GetValue<int>()); // the value alone: no __mcd_result__ around it
        Assert.Null(value["__mcd_trace_id__"]);

        var inline = run["inline"];
        Assert.Equal("bytes", inline["__type__"]!.GetValue<string>());
        var inflated = JsonNode.Parse(Gunzip(Convert.FromBase64String(inline["__data__"]!.GetValue<string>())))!;
        Assert.Equal("t-inline", inflated["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(filler, inflated["__mcd_result__"]!["filler"]!.GetValue<string>());

        Assert.Equal("t-small", run["small"]["__mcd_trace_id__"]!.GetValue<string>());
        Assert.NotNull(run["small"]["__mcd_result__"]);
        run.AssertNowhere(S3CompatibleFactAttribute.SecretKey!);
    }

    private Uri LocationOf(JsonObject published, string bucket, string traceId)
    {
        var location = new Uri(published["__mcd_result_location__"]!.GetValue<string>());
        output.WriteLine($"location: {location.GetLeftPart(UriPartial.Path)}");
        Assert.Equal($"/{bucket}/agent-prefix/responses/{traceId}", location.AbsolutePath);
        Assert.True(SigV4PresignedUrl.IsSignedWith(location, S3CompatibleFactAttribute.SecretKey!), "the location's signature is not the secret key's");
        Assert.Equal(traceId, published["__mcd_trace_id__"]!.GetValue<string>());
        return location;
    }

    private static string Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static void Configure(AgentSettings settings, string bucket)
    {
        settings.Environment["MCD_STORAGE"] = "S3_COMPATIBLE";
        settings.Environment["MCD_STORAGE_BUCKET_NAME"] = bucket;
        settings.Environment["MCD_STORAGE_PREFIX"] = "agent-prefix";
        settings.Environment["MCD_STORAGE_ENDPOINT_URL"] = S3CompatibleFactAttribute.Endpoint!;
        settings.Environment["MCD_STORAGE_ACCESS_KEY"] = S3CompatibleFactAttribute.AccessKey!;
        settings.Environment["MCD_STORAGE_SECRET_KEY"] = S3CompatibleFactAttribute.SecretKey!;
    }

    private static async Task<string> CreateBucketAsync()
    {
        var bucket = $"egress-e2e-{Guid.NewGuid():N}"[..30];
        using var admin = new AmazonS3Client(
            new BasicAWSCredentials(S3CompatibleFactAttribute.AccessKey, S3CompatibleFactAttribute.SecretKey),
            new AmazonS3Config { ServiceURL = S3CompatibleFactAttribute.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await admin.PutBucketAsync(bucket);
        return bucket;
    }
}
