using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using EgressAgent.Application.ResultStorage;

namespace EgressAgent.Infrastructure.ResultStorage;

/// <summary>
/// The AWS SDK client for <c>S3</c> (the SDK's default credential chain: environment, profile,
/// web identity, ECS/EC2 roles) or <c>S3Compatible</c> (the configured endpoint, access key and
/// secret key; SigV4, path-style addressing, checksums only where the API requires them, since
/// S3-compatible servers often lack the newer checksum headers).
/// </summary>
internal static class S3Clients
{
    /// <summary>The signing region of an S3-compatible server when none is configured.</summary>
    public const string DefaultCompatibleRegion = "us-east-1";

    /// <param name="settings">The validated settings.</param>
    /// <param name="http">Where the SDK gets its HttpClient: tests record the requests; null is the SDK's own.</param>
    public static IAmazonS3 Create(ResultStorageOptions settings, HttpClientFactory? http = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.ProviderName == StorageProviders.S3Compatible)
        {
            var endpoint = new Uri(settings.EndpointUrl!);
            var config = new AmazonS3Config
            {
                ServiceURL = endpoint.ToString(),
                ForcePathStyle = true,
                AuthenticationRegion = settings.Region ?? DefaultCompatibleRegion,
                UseHttp = endpoint.Scheme == Uri.UriSchemeHttp,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
                HttpClientFactory = http,
            };
            return new AmazonS3Client(new BasicAWSCredentials(settings.AccessKey, settings.SecretKey), config);
        }

        var aws = new AmazonS3Config { HttpClientFactory = http };
        if (!string.IsNullOrWhiteSpace(settings.Region))
        {
            aws.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
        }

        return new AmazonS3Client(aws);
    }
}
