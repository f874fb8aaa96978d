using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Infrastructure.ResultStorage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EgressAgent.Benchmarks;

/// <summary>
/// A throw-away bucket on the S3-compatible server named by <c>EGRESS_TEST_S3_*</c> (s3rver in
/// <c>.ci/run</c>), the agent's settings for it, and the agent's own upload code
/// (<see cref="S3ObjectStore"/>, the same client settings and part size) for the raw upload a
/// result's upload is compared with. Disposing deletes every object left in it and the bucket.
/// </summary>
internal sealed class BenchmarkBucket : IAsyncDisposable
{
    public const string Prefix = "bench";

    private readonly IAmazonS3 _admin;
    private readonly S3ObjectStore _store;

    private BenchmarkBucket(ResultStorageOptions settings)
    {
        Settings = settings;
        _admin = S3Clients.Create(settings);
        _store = new S3ObjectStore(S3Clients.Create(settings), settings, NullLogger<S3ObjectStore>.Instance);
    }

    public ResultStorageOptions Settings { get; }

    /// <summary>Creates the bucket; throws when the environment names no server.</summary>
    public static async Task<BenchmarkBucket> CreateAsync(CancellationToken cancellationToken)
    {
        var endpoint = Environment.GetEnvironmentVariable("EGRESS_TEST_S3_ENDPOINT");
        var accessKey = Environment.GetEnvironmentVariable("EGRESS_TEST_S3_ACCESS_KEY");
        var secretKey = Environment.GetEnvironmentVariable("EGRESS_TEST_S3_SECRET_KEY");
        if (string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            throw new InvalidOperationException("EGRESS_TEST_S3_ENDPOINT, EGRESS_TEST_S3_ACCESS_KEY and EGRESS_TEST_S3_SECRET_KEY must name an S3-compatible server (.ci/run starts s3rver)");
        }

        var bucket = new BenchmarkBucket(new ResultStorageOptions
        {
            Provider = StorageProviders.S3Compatible,
            Bucket = $"egress-bench-{Guid.NewGuid():N}"[..30],
            Prefix = Prefix,
            EndpointUrl = endpoint,
            AccessKey = accessKey,
            SecretKey = secretKey,
        });
        await bucket._admin.PutBucketAsync(bucket.Settings.Bucket, cancellationToken);
        return bucket;
    }

    /// <summary>The agent's settings for this bucket (its environment variables under <c>EgressAgent:Results:Storage</c>).</summary>
    public IEnumerable<KeyValuePair<string, string>> AgentEnvironment()
    {
        const string section = "EgressAgent__Results__Storage__";
        yield return new(section + "Provider", Settings.Provider!);
        yield return new(section + "Bucket", Settings.Bucket!);
        yield return new(section + "Prefix", Settings.Prefix);
        yield return new(section + "EndpointUrl", Settings.EndpointUrl!);
        yield return new(section + "AccessKey", Settings.AccessKey!);
        yield return new(section + "SecretKey", Settings.SecretKey!);
    }

    /// <summary>
    /// Uploads <paramref name="file"/> the way the agent uploads a result (one part buffer, multipart
    /// past it); returns the bytes, the time it took, and the part of it after the file was read to
    /// its end: the last part and completing the upload, where the server assembles the object.
    /// </summary>
    public async Task<(long Bytes, TimeSpan Elapsed, TimeSpan AfterEnd)> UploadRawAsync(string key, string file, CancellationToken cancellationToken)
    {
        await using var content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var clock = new EndOfStreamClock(content);
        var started = Stopwatch.GetTimestamp();
        var bytes = await _store.UploadAsync(key, clock, "application/octet-stream", cancellationToken);
        var ended = Stopwatch.GetTimestamp();
        return (bytes, Stopwatch.GetElapsedTime(started, ended), Stopwatch.GetElapsedTime(clock.EndedAt, ended));
    }

    /// <summary>Deletes every object in the bucket: a 1 GiB object must not outlive its run. Says so when it cannot.</summary>
    public async Task<bool> TryDeleteObjectsAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            var listing = await _admin.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Settings.Bucket }, bound.Token);
            foreach (var item in listing.S3Objects ?? [])
            {
                await _admin.DeleteObjectAsync(Settings.Bucket, item.Key, bound.Token);
            }

            return true;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException)
        {
            Console.Error.WriteLine($"deleting the objects of bucket {Settings.Bucket} failed ({ex.GetType().Name}: {ex.Message}); delete them by hand");
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (await TryDeleteObjectsAsync())
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await _admin.DeleteBucketAsync(Settings.Bucket, bound.Token);
            }
            catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException)
            {
                Console.Error.WriteLine($"deleting bucket {Settings.Bucket} failed ({ex.GetType().Name}: {ex.Message})");
            }
        }

        _store.Dispose();
        _admin.Dispose();
    }
}
