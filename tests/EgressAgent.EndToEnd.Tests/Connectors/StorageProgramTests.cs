using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;
using static EgressAgent.EndToEnd.Tests.Connectors.CommandsPrograms;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// The <c>storage</c> connection type (docs/protocol.md §13) through the real agent process against
/// a real S3-compatible server (s3rver, started by <c>.ci/run</c>), configured only through the
/// reference agent's <c>MCD_STORAGE*</c> variables: write, read, read_json, list_objects, delete,
/// generate_presigned_url (the URL's SigV4 signature verified here against the secret, then
/// fetched from the server), NotFound, and neither key in any output.
/// </summary>
public sealed class StorageProgramTests(ITestOutputHelper output)
{
    private const string Storage = ConnectorRun.Execute + "storage/";

    [S3CompatibleFact]
    public async Task A_storage_program_writes_reads_lists_deletes_and_presigns_under_the_prefix()
    {
        var bucket = $"egress-e2e-{Guid.NewGuid():N}"[..30];
        using (var admin = new AmazonS3Client(
            new BasicAWSCredentials(S3CompatibleFactAttribute.AccessKey, S3CompatibleFactAttribute.SecretKey),
            new AmazonS3Config { ServiceURL = S3CompatibleFactAttribute.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" }))
        {
            await admin.PutBucketAsync(bucket);
        }

        var run = await ConnectorRun.RunAsync(
            output,
            new Dictionary<string, ConnectorOperation>
            {
                ["round-trip"] = new(Storage + "round_trip", Of(
                    Command("write", "greeting.txt", "hello ü"),
                    Command("write", "data/one.json", new JsonObject { ["a"] = new JsonArray(1, 2) }),
                    Command("write", "data/blob.bin", new JsonObject { ["__type__"] = "bytes", ["__data__"] = "AAEC/w==" }),
                    new JsonObject
                    {
                        ["target"] = "__utils",
                        ["method"] = "build_dict",
                        ["kwargs"] = new JsonObject
                        {
                            ["text"] = CallOf("read", new JsonArray("greeting.txt"), new JsonObject { ["encoding"] = "utf-8" }),
                            ["bytes"] = CallOf("read", new JsonArray("data/blob.bin")),
                            ["json"] = CallOf("read_json", new JsonArray("data/one.json")),
                            ["page"] = CallOf("list_objects", new JsonArray(), new JsonObject { ["prefix"] = "data/", ["batch_size"] = 1 }),
                            ["all"] = CallOf("list_objects", new JsonArray()),
                            ["url"] = CallOf("generate_presigned_url", new JsonArray("data/one.json", 300)),
                            ["default_url"] = CallOf("generate_presigned_url", new JsonArray("greeting.txt")),
                        },
                    }), new JsonObject { ["connect_args"] = new JsonObject { ["ignored"] = true } }),
                ["delete"] = new(Storage + "delete", Of(
                    Command("write", "gone/x", "soon gone"),
                    Command("delete", "gone/x"),
                    Command("list_objects", "gone/")), new JsonObject()),
                ["missing"] = new(Storage + "read", Of(Command("read", "never/written")), new JsonObject()),
                ["private"] = new(Storage + "is_bucket_private", Of(Command("is_bucket_private")), new JsonObject()),
                ["method"] = new(Storage + "x", Of(Command("rename", "a")), new JsonObject()),
            },
            settings =>
            {
                settings.Environment["MCD_STORAGE"] = "S3_COMPATIBLE";
                settings.Environment["MCD_STORAGE_BUCKET_NAME"] = bucket;
                settings.Environment["MCD_STORAGE_PREFIX"] = "agent-prefix";
                settings.Environment["MCD_STORAGE_ENDPOINT_URL"] = S3CompatibleFactAttribute.Endpoint!;
                settings.Environment["MCD_STORAGE_ACCESS_KEY"] = S3CompatibleFactAttribute.AccessKey!;
                settings.Environment["MCD_STORAGE_SECRET_KEY"] = S3CompatibleFactAttribute.SecretKey!;
                settings.Environment["MCD_PRE_SIGNED_URL_RESPONSE_EXPIRATION_SECONDS"] = "120";
            });

        var result = Payload(run["round-trip"]);
        Assert.Equal("hello ü", result["text"]!.GetValue<string>());
        Assert.Equal("""{"__type__":"bytes","__data__":"AAEC/w=="}""", result["bytes"]!.ToJsonString());
        Assert.Equal("""{"a":[1,2]}""", result["json"]!.ToJsonString());
        var page = result["page"]!.AsObject();
        var listed = Assert.Single(page["list"]!.AsArray())!.AsObject();
        Assert.Equal("data/blob.bin", listed["Key"]!.GetValue<string>()); // relative to the prefix
        Assert.Equal(4, listed["Size"]!.GetValue<long>());
        Assert.Equal("datetime", listed["LastModified"]!["__type__"]!.GetValue<string>());
        Assert.NotNull(page["page_token"]);
        Assert.Equal(["data/blob.bin", "data/one.json", "greeting.txt"], result["all"]!["list"]!.AsArray().Select(o => o!["Key"]!.GetValue<string>()));
        Assert.Null(result["all"]!["page_token"]);

        var url = new Uri(result["url"]!.GetValue<string>());
        Assert.Equal($"/{bucket}/agent-prefix/data/one.json", url.AbsolutePath);
        Assert.InRange(int.Parse(SigV4PresignedUrl.Parameters(url)["X-Amz-Expires"], System.Globalization.CultureInfo.InvariantCulture), 300, 301); // the SDK counts from its own signing instant
        Assert.True(SigV4PresignedUrl.IsSignedWith(url, S3CompatibleFactAttribute.SecretKey!), "the pre-signed URL's signature is not the secret key's");
        using (var client = new HttpClient())
        {
            Assert.Equal("""{"a":[1,2]}""", await client.GetStringAsync(url));
        }

        var defaultUrl = new Uri(result["default_url"]!.GetValue<string>());
        Assert.InRange(int.Parse(SigV4PresignedUrl.Parameters(defaultUrl)["X-Amz-Expires"], System.Globalization.CultureInfo.InvariantCulture), 120, 121); // MCD_PRE_SIGNED_URL_RESPONSE_EXPIRATION_SECONDS
        Assert.True(SigV4PresignedUrl.IsSignedWith(defaultUrl, S3CompatibleFactAttribute.SecretKey!));

        Assert.Null(Payload(run["delete"])["list"]);
        Assert.Contains("no such object", Error(run["missing"], "NotFound"), StringComparison.Ordinal);
        Assert.Contains("NotImplemented", Error(run["private"], "StorageError"), StringComparison.Ordinal); // s3rver has no policy status
        Assert.Equal("Failed to resolve method rename", run["method"]["__mcd_error__"]!.GetValue<string>());

        // A pre-signed URL is logged without its signature; neither key shows anywhere.
        var signature = SigV4PresignedUrl.Parameters(url)["X-Amz-Signature"];
        Assert.Contains(run.Lines, l => l.Contains("agent-prefix/data/one.json", StringComparison.Ordinal) && l.Contains("X-Amz-Signature=__redacted__", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Lines, l => l.Contains(signature, StringComparison.Ordinal));
        run.AssertNowhere(S3CompatibleFactAttribute.SecretKey!);
        Assert.DoesNotContain(run.Lines, l => l.Contains(S3CompatibleFactAttribute.AccessKey!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_configured_store_a_storage_program_is_a_StorageNotConfigured_error()
    {
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["read"] = new(Storage + "read", Of(Command("read", "x")), new JsonObject()),
            ["types"] = new("/api/v1/agent/connectors/types", new JsonObject()),
        });

        Assert.Equal("Result storage is not configured", Error(run["read"], "StorageNotConfigured"));
        Assert.Contains("storage", Payload(run["types"])["types"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    private static JsonObject Command(string method, params JsonNode?[] args) =>
        new() { ["method"] = method, ["args"] = new JsonArray([.. args]) };

    private static JsonObject CallOf(string method, JsonArray args, JsonObject? kwargs = null)
    {
        var call = new JsonObject { ["__type__"] = "call", ["method"] = method, ["args"] = args };
        if (kwargs is not null)
        {
            call["kwargs"] = kwargs;
        }

        return call;
    }
}
