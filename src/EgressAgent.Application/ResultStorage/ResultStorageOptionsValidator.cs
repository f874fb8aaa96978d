using System.Runtime.CompilerServices;
using FluentValidation;

namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// A provider without its required settings is a configuration error (docs/protocol.md §13, exit 2);
/// every missing setting is named, with the reference variable that sets it. Values are never quoted:
/// some are secrets.
/// </summary>
public sealed class ResultStorageOptionsValidator : AbstractValidator<ResultStorageOptions>
{
    private const string Key = ResultStorageOptions.SectionName;
    private static readonly TimeSpan LongestUrl = TimeSpan.FromDays(7);

    public ResultStorageOptionsValidator()
    {
        RuleFor(o => o.Provider)
            .Must(p => StorageProviders.Normalize(p) is not null)
            .When(o => o.IsConfigured)
            .WithMessage($"{Key}:Provider (MCD_STORAGE) must be one of {string.Join(", ", StorageProviders.All)} (or S3_COMPATIBLE, AZURE_BLOB).");
        RuleFor(o => o.Provider)
            .Must(_ => RuntimeFeature.IsDynamicCodeSupported)
            .When(o => o.ProviderName == StorageProviders.Gcs)
            .WithMessage($"{Key}:Provider GCS is not available in the native agent: Google's client needs code the native build cannot keep (docs/adr/0048). Run the JIT build of the agent for GCS.");

        When(o => o.ProviderName is not null, () =>
        {
            RuleFor(o => o.Bucket).NotEmpty().WithMessage(o => $"{Key}:Bucket (MCD_STORAGE_BUCKET_NAME) is required for provider {o.ProviderName}.");
            RuleFor(o => o.UrlExpiration)
                .Must(d => d > TimeSpan.Zero && d <= LongestUrl)
                .WithMessage($"{Key}:UrlExpiration (MCD_PRE_SIGNED_URL_RESPONSE_EXPIRATION_SECONDS) must be a positive duration of at most 7 days.");
            RuleFor(o => o.UploadTimeout)
                .Must(d => d > TimeSpan.Zero && d <= TimeSpan.FromDays(1))
                .WithMessage($"{Key}:UploadTimeout must be a positive duration of at most one day.");
            RuleFor(o => o.PartSize)
                .InclusiveBetween(ResultStorageOptions.MinimumPartSize, ResultStorageOptions.MaximumPartSize)
                .WithMessage($"{Key}:PartSize must be from {ResultStorageOptions.MinimumPartSize} (5 MiB) to {ResultStorageOptions.MaximumPartSize} (512 MiB) bytes.");
            RuleFor(o => o.Prefix)
                .Must(p => p is null || !p.Contains('\\', StringComparison.Ordinal))
                .WithMessage($"{Key}:Prefix (MCD_STORAGE_PREFIX) must not contain a backslash.");
        });

        When(o => o.ProviderName == StorageProviders.S3Compatible, () =>
        {
            RuleFor(o => o.EndpointUrl)
                .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                .WithMessage($"{Key}:EndpointUrl (MCD_STORAGE_ENDPOINT_URL) is required for provider S3Compatible: an absolute http or https URL.");
            RuleFor(o => o.AccessKey).NotEmpty().WithMessage($"{Key}:AccessKey (MCD_STORAGE_ACCESS_KEY) is required for provider S3Compatible.");
            RuleFor(o => o.SecretKey).NotEmpty().WithMessage($"{Key}:SecretKey (MCD_STORAGE_SECRET_KEY) is required for provider S3Compatible.");
        });

        When(o => o.ProviderName == StorageProviders.AzureBlob, () =>
        {
            RuleFor(o => o.AccountName).NotEmpty().WithMessage($"{Key}:AccountName (MCD_STORAGE_ACCOUNT_NAME) is required for provider AzureBlob.");
            RuleFor(o => o.AccountKey)
                .Must(k => k is null || IsBase64(k))
                .WithMessage($"{Key}:AccountKey must be the account's base64 key (or left out for the default Azure credential).");
            RuleFor(o => o.EndpointUrl)
                .Must(u => u is null || (Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
                .WithMessage($"{Key}:EndpointUrl must be an absolute http or https URL when given for provider AzureBlob.");
        });
    }

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return value.Length > 0 && Convert.TryFromBase64String(value, buffer, out _);
    }
}
