using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Azure.Storage;
using Azure.Storage.Blobs;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// <c>demo</c> with an object store named the way an operator names it (<c>MCD_STORAGE*</c>): one
/// sample's result is offloaded (docs/protocol.md §13) and the demo prints what the embedded
/// emulator fetched from the published URL — the sample itself — never the URL's signature.
/// </summary>
public sealed partial class DemoOffloadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [S3CompatibleFact]
    public async Task Demo_with_an_S3_compatible_store_prints_the_offloaded_result_the_emulator_fetched()
    {
        var bucket = $"egress-demo-{Guid.NewGuid():N}"[..30];
        using (var admin = new AmazonS3Client(
            new BasicAWSCredentials(S3CompatibleFactAttribute.AccessKey, S3CompatibleFactAttribute.SecretKey),
            new AmazonS3Config { ServiceURL = S3CompatibleFactAttribute.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" }))
        {
            await admin.PutBucketAsync(bucket);
        }

        var settings = new AgentSettings();
        settings.Environment["MCD_STORAGE"] = "S3_COMPATIBLE";
        settings.Environment["MCD_STORAGE_BUCKET_NAME"] = bucket;
        settings.Environment["MCD_STORAGE_ENDPOINT_URL"] = S3CompatibleFactAttribute.Endpoint!;
        settings.Environment["MCD_STORAGE_ACCESS_KEY"] = S3CompatibleFactAttribute.AccessKey!;
        settings.Environment["MCD_STORAGE_SECRET_KEY"] = S3CompatibleFactAttribute.SecretKey!;

        var lines = await RunDemoAsync(settings, $"/{bucket}/mcd/responses/");

        Assert.DoesNotContain(lines, l => l.Contains(S3CompatibleFactAttribute.SecretKey!, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("X-Amz-Signature", StringComparison.OrdinalIgnoreCase));
    }

    [AzuriteFact]
    public async Task Demo_with_an_Azure_blob_container_prints_the_offloaded_result_the_emulator_fetched()
    {
        var container = $"egress-demo-{Guid.NewGuid():N}"[..30];
        var admin = new BlobContainerClient(
            new Uri($"{AzuriteFactAttribute.Endpoint}/{container}"),
            new StorageSharedKeyCredential(AzuriteFactAttribute.Account, AzuriteFactAttribute.Key));
        await admin.CreateAsync();
        try
        {
            var settings = new AgentSettings().Set("Results:Storage:AccountKey", AzuriteFactAttribute.Key!);
            settings.Environment["MCD_STORAGE"] = "AZURE_BLOB";
            settings.Environment["MCD_STORAGE_BUCKET_NAME"] = container;
            settings.Environment["MCD_STORAGE_ACCOUNT_NAME"] = AzuriteFactAttribute.Account!;
            settings.Environment["MCD_STORAGE_ENDPOINT_URL"] = AzuriteFactAttribute.Endpoint!;

            var lines = await RunDemoAsync(settings, $"/{container}/mcd/responses/");

            Assert.DoesNotContain(lines, l => l.Contains(AzuriteFactAttribute.Key!, StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("sig=", StringComparison.Ordinal));
        }
        finally
        {
            await admin.DeleteIfExistsAsync();
        }
    }

    /// <summary>Runs <c>demo</c>; asserts every sample delivered, the offload line and the body the emulator fetched; returns the output.</summary>
    private async Task<IReadOnlyList<string>> RunDemoAsync(AgentSettings settings, string objectPath)
    {
        await using var agent = AgentProcess.Start(settings, output, "demo");

        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
        var lines = agent.Lines;
        var summary = lines.Select(l => DemoSummary().Match(l)).Single(m => m.Success);
        Assert.Equal(summary.Groups["done"].Value, summary.Groups["total"].Value);
        Assert.DoesNotContain(lines, l => l.StartsWith("Offload sample skipped", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("result over its size limit", StringComparison.Ordinal));

        var offloaded = lines.ToList().FindIndex(l => l.Contains("result offloaded to storage", StringComparison.Ordinal) && l.Contains("ok ", StringComparison.Ordinal));
        Assert.True(offloaded >= 0, "no offloaded sample succeeded");
        var traceId = Assert.Single(TraceId().Matches(lines[offloaded])).Value;
        Assert.Contains($"{objectPath}{traceId} ", lines[offloaded], StringComparison.Ordinal);
        // What the emulator fetched from the URL is the whole result object: the echoed sample and its trace id.
        // The next such line (a log line of the agent's may come between the two).
        var fetched = lines.Skip(offloaded + 1).First(l => l.Contains("fetched by the emulator:", StringComparison.Ordinal)).Trim();
        Assert.StartsWith("fetched by the emulator: {\"__mcd_result__\":{\"trace_id\":\"" + traceId + "\"", fetched, StringComparison.Ordinal);
        Assert.Contains("\"crew\":[\"Ada\",\"Grace\",\"Alan\",\"Edsger\",\"Barbara\",\"Donald\"]", fetched, StringComparison.Ordinal);
        Assert.EndsWith("\"__mcd_trace_id__\":\"" + traceId + "\"}", fetched, StringComparison.Ordinal);
        return lines;
    }

    [GeneratedRegex(@"(?<done>\d+)/(?<total>\d+) results")]
    private static partial Regex DemoSummary();

    [GeneratedRegex("demo-offload-[0-9a-f]{32}")]
    private static partial Regex TraceId();
}
