namespace EgressAgent.Tests.Shared;

/// <summary>
/// A fact that needs a real S3-compatible server: <c>.ci/run</c> starts npm's <c>s3rver</c> on
/// loopback and sets <c>EGRESS_TEST_S3_ENDPOINT</c>, <c>EGRESS_TEST_S3_ACCESS_KEY</c> and
/// <c>EGRESS_TEST_S3_SECRET_KEY</c> (a key pair made per run) and <c>EGRESS_TEST_S3_DATA</c>
/// (its data directory). s3rver checks the access key and a pre-signed URL's expiry but not SigV4
/// signatures, so tests verify those themselves (<see cref="SigV4PresignedUrl"/>). Without the
/// variables the test is skipped, with the reason, never faked — except under <c>CI=true</c>, where
/// a missing server fails the test.
/// </summary>
public sealed class S3CompatibleFactAttribute : FactAttribute
{
    public S3CompatibleFactAttribute()
    {
        if (!Available && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "EGRESS_TEST_S3_ENDPOINT, EGRESS_TEST_S3_ACCESS_KEY and EGRESS_TEST_S3_SECRET_KEY are not all set: no S3-compatible server to test against (.ci/run starts s3rver and sets them).";
        }
    }

    public static string? Endpoint => Environment.GetEnvironmentVariable("EGRESS_TEST_S3_ENDPOINT");

    public static string? AccessKey => Environment.GetEnvironmentVariable("EGRESS_TEST_S3_ACCESS_KEY");

    public static string? SecretKey => Environment.GetEnvironmentVariable("EGRESS_TEST_S3_SECRET_KEY");

    /// <summary>s3rver's data directory, where unfinished multipart uploads can be seen.</summary>
    public static string? DataDirectory => Environment.GetEnvironmentVariable("EGRESS_TEST_S3_DATA");

    public static bool Available =>
        !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(AccessKey) && !string.IsNullOrWhiteSpace(SecretKey);
}
