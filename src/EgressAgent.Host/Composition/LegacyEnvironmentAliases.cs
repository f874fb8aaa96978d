using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace EgressAgent.Host.Composition;

/// <summary>
/// The reference agent's environment variables, mapped onto our keys so an existing deployment
/// can switch without edits. Added below <c>EgressAgent__*</c> variables, which win.
/// </summary>
internal static class LegacyEnvironmentAliases
{
    private static readonly (string Variable, string Key, Func<string, string?> Convert)[] Aliases =
    [
        ("BACKEND_SERVICE_URL", "EgressAgent:Orchestrator:BaseUrl", v => v),
        ("LOCAL_TOKEN_ID", "EgressAgent:Orchestrator:TokenId", v => v),
        ("LOCAL_TOKEN_SECRET", "EgressAgent:Orchestrator:TokenSecret", v => v),
        ("MCD_TOKEN_FILE_PATH", "EgressAgent:Orchestrator:TokenFile", v => v),
        ("MCD_OPS_RUNNER_THREAD_COUNT", "EgressAgent:Operations:Workers", v => v),
        ("MCD_POLL_INTERVAL_SECONDS", "EgressAgent:Operations:PollInterval", Seconds),
        ("MCD_SSE_NOTIFICATIONS_ENABLED", "EgressAgent:Events:Enabled", v => v),
        // Object storage (docs/protocol.md §13): MCD_STORAGE says S3_COMPATIBLE and AZURE_BLOB, which the options read too.
        ("MCD_STORAGE", "EgressAgent:Results:Storage:Provider", v => v),
        ("MCD_STORAGE_BUCKET_NAME", "EgressAgent:Results:Storage:Bucket", v => v),
        ("MCD_STORAGE_PREFIX", "EgressAgent:Results:Storage:Prefix", v => v),
        ("MCD_STORAGE_ENDPOINT_URL", "EgressAgent:Results:Storage:EndpointUrl", v => v),
        ("MCD_STORAGE_ACCESS_KEY", "EgressAgent:Results:Storage:AccessKey", v => v),
        ("MCD_STORAGE_SECRET_KEY", "EgressAgent:Results:Storage:SecretKey", v => v),
        ("MCD_STORAGE_ACCOUNT_NAME", "EgressAgent:Results:Storage:AccountName", v => v),
        ("MCD_PRE_SIGNED_URL_RESPONSE_EXPIRATION_SECONDS", "EgressAgent:Results:Storage:UrlExpiration", Seconds),
    ];

    public static IConfigurationBuilder AddLegacyEnvironmentAliases(this IConfigurationBuilder builder, IDictionary environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key, convert) in Aliases)
        {
            if (environment[variable] is string value && value.Length > 0)
            {
                values[key] = convert(value);
            }
        }

        return builder.AddInMemoryCollection(values);
    }

    /// <summary>Seconds as the TimeSpan text the binder reads; an unreadable value is passed on so validation names it.</summary>
    private static string? Seconds(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture)
            : value;
}
