using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// What the end-to-end tests of docs/protocol.md §13 share: a bucket of their own on the test's
/// S3-compatible server (s3rver, started by <c>.ci/run</c>), the agent's settings that point it
/// there (directly or through a <see cref="FaultProxy"/>), the checks every published location
/// gets (its path, its SigV4 signature against the secret key, its trace id) and the objects read
/// back. Every signature it verifies is kept, so the secrets check can look for them all.
/// </summary>
internal sealed class TestBucket
{
    public const string Prefix = "agent-prefix";

    private readonly List<string> _signatures = [];

    private TestBucket(string name) => Name = name;

    public string Name { get; }

    /// <summary>The server itself, for a proxy to stand in front of.</summary>
    public static Uri Endpoint => new(S3CompatibleFactAttribute.Endpoint!);

    /// <summary>The access key, the secret key and every signature of a location verified so far.</summary>
    public IReadOnlyList<string> Secrets
    {
        get
        {
            lock (_signatures)
            {
                return [S3CompatibleFactAttribute.AccessKey!, S3CompatibleFactAttribute.SecretKey!, .. _signatures];
            }
        }
    }

    public static async Task<TestBucket> CreateAsync()
    {
        var bucket = new TestBucket($"egress-e2e-{Guid.NewGuid():N}"[..30]);
        using var admin = Admin();
        await admin.PutBucketAsync(bucket.Name);
        return bucket;
    }

    /// <summary>The object key of <paramref name="traceId"/>'s result, with the prefix, as the server names it.</summary>
    public static string KeyOf(string traceId) => $"{Prefix}/responses/{traceId}";

    /// <summary>
    /// Points the agent at this bucket with the reference's variables, at <paramref name="endpoint"/>
    /// (a proxy) or the server itself, and logs at debug so that the secrets check reads everything
    /// the agent can say.
    /// </summary>
    public void Configure(AgentSettings settings, Uri? endpoint = null)
    {
        settings.Environment["Logging__LogLevel__Default"] = "Debug";
        settings.Environment["MCD_STORAGE"] = "S3_COMPATIBLE";
        settings.Environment["MCD_STORAGE_BUCKET_NAME"] = Name;
        settings.Environment["MCD_STORAGE_PREFIX"] = Prefix;
        settings.Environment["MCD_STORAGE_ENDPOINT_URL"] = (endpoint ?? Endpoint).ToString();
        settings.Environment["MCD_STORAGE_ACCESS_KEY"] = S3CompatibleFactAttribute.AccessKey!;
        settings.Environment["MCD_STORAGE_SECRET_KEY"] = S3CompatibleFactAttribute.SecretKey!;
    }

    /// <summary>
    /// The location of a published result after checking it is one: only the location and the
    /// trace id (and the compressed flag when <paramref name="compressed"/>), the object's path
    /// in this bucket, and a signature made with the secret key (which s3rver does not verify).
    /// </summary>
    public Uri LocationOf(JsonObject published, string traceId, ITestOutputHelper output, bool compressed = false)
    {
        string[] keys = compressed
            ? ["__mcd_result_location__", "__mcd_trace_id__", "__mcd_result_compressed__"]
            : ["__mcd_result_location__", "__mcd_trace_id__"];
        Assert.Equal(keys, published.Select(p => p.Key));
        Assert.Equal(traceId, published["__mcd_trace_id__"]!.GetValue<string>());
        var location = new Uri(published["__mcd_result_location__"]!.GetValue<string>());
        output.WriteLine($"location: {location.GetLeftPart(UriPartial.Path)}");
        Assert.Equal($"/{Name}/{KeyOf(traceId)}", location.AbsolutePath);
        Assert.True(SigV4PresignedUrl.IsSignedWith(location, S3CompatibleFactAttribute.SecretKey!), "the location's signature is not the secret key's");
        lock (_signatures)
        {
            _signatures.Add(SigV4PresignedUrl.Parameters(location)["X-Amz-Signature"]);
        }

        return location;
    }

    /// <summary>The object <paramref name="traceId"/>'s result went to, read with the admin key, not through any URL.</summary>
    public async Task<byte[]> ReadAsync(string traceId)
    {
        using var admin = Admin();
        using var response = await admin.GetObjectAsync(Name, KeyOf(traceId));
        using var bytes = new MemoryStream();
        await response.ResponseStream.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    /// <summary>
    /// The multipart uploads of <paramref name="traceId"/>'s key s3rver holds unfinished, with the
    /// parts each has, read from its data directory (s3rver has no ListMultipartUploads); null
    /// when that directory is not known.
    /// </summary>
    public IReadOnlyList<(string UploadId, int Parts)>? UnfinishedUploads(string traceId)
    {
        if (S3CompatibleFactAttribute.DataDirectory is not { Length: > 0 } data)
        {
            return null;
        }

        var uploads = Path.Combine(data, Name, "._S3rver_uploads");
        if (!Directory.Exists(uploads))
        {
            return [];
        }

        return [.. Directory.GetDirectories(uploads)
            .Where(d => File.Exists(Path.Combine(d, "key")) && File.ReadAllText(Path.Combine(d, "key")) == KeyOf(traceId))
            .Select(d => (Path.GetFileName(d), Directory.GetFiles(d).Count(f => int.TryParse(Path.GetFileName(f), out _))))];
    }

    private static AmazonS3Client Admin() => new(
        new BasicAWSCredentials(S3CompatibleFactAttribute.AccessKey, S3CompatibleFactAttribute.SecretKey),
        new AmazonS3Config { ServiceURL = S3CompatibleFactAttribute.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
}
