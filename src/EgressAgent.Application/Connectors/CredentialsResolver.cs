using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Connectors;

/// <summary>
/// The credentials a connection type gets (docs/protocol.md §12.4): the envelope's, or — with
/// <c>self_hosted_credentials_type</c> — the secret it points at, a JSON object that becomes the
/// credentials (when both have <c>connect_args</c> objects they merge, the secret's keys winning).
/// Secrets are cached for <c>Connectors:SecretCacheExpiration</c> on the monotonic clock, keyed by
/// the SHA-256 of the envelope's credentials, never by the secret.
/// </summary>
internal sealed class CredentialsResolver
{
    public const string TypeField = "self_hosted_credentials_type";
    private const string ConnectArgs = "connect_args";

    private readonly Dictionary<string, ISelfHostedSecretSource> _sources;
    private readonly Dictionary<string, (JsonObject Secret, long ReadAt)> _cache = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeSpan _expiration;
    private readonly TimeProvider _time;

    public CredentialsResolver(IEnumerable<ISelfHostedSecretSource> sources, IOptions<ConnectorsOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sources = sources.ToDictionary(s => s.Type, StringComparer.Ordinal);
        _expiration = options.Value.SecretCacheExpiration;
        _time = time;
    }

    /// <summary>
    /// A fresh object the caller may keep. A secret that cannot be read throws
    /// <see cref="OperationFailedException"/> (<c>CredentialsError</c>) naming the reason.
    /// </summary>
    public async Task<JsonObject> ResolveAsync(JsonObject credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (!credentials.ContainsKey(TypeField))
        {
            return (JsonObject)credentials.DeepClone();
        }

        var secret = await SecretOfAsync(credentials, cancellationToken);
        if (credentials[ConnectArgs] is JsonObject inline && secret[ConnectArgs] is JsonObject secretArgs)
        {
            var merged = (JsonObject)inline.DeepClone();
            foreach (var (key, value) in secretArgs)
            {
                merged[key] = value?.DeepClone();
            }

            secret[ConnectArgs] = merged;
        }

        return secret;
    }

    private async Task<JsonObject> SecretOfAsync(JsonObject credentials, CancellationToken cancellationToken)
    {
        var key = CanonicalJson.Sha256(credentials);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            foreach (var stale in _cache.Where(e => _time.GetElapsedTime(e.Value.ReadAt, now) >= _expiration).Select(e => e.Key).ToList())
            {
                _cache.Remove(stale);
            }

            if (_cache.TryGetValue(key, out var cached))
            {
                return (JsonObject)cached.Secret.DeepClone();
            }
        }

        var secret = await ReadAsync(credentials, cancellationToken);
        lock (_gate)
        {
            _cache[key] = (secret, now);
        }

        return (JsonObject)secret.DeepClone();
    }

    private async Task<JsonObject> ReadAsync(JsonObject credentials, CancellationToken cancellationToken)
    {
        var type = credentials[TypeField] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        if (type is null || !_sources.TryGetValue(type, out var source))
        {
            var supported = string.Join(", ", _sources.Keys.Order(StringComparer.Ordinal));
            throw Failed($"unsupported {TypeField} {OperationValues.Describe(credentials[TypeField])} (supported: {supported})");
        }

        SelfHostedSecret secret;
        try
        {
            secret = await source.ReadAsync(credentials, cancellationToken);
        }
        catch (SelfHostedCredentialsException ex)
        {
            throw Failed(ex.Message);
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(secret.Text);
        }
        catch (JsonException)
        {
            // The parser's message quotes the text around the error: the secret. Only the origin is named.
            throw Failed($"{secret.Origin} does not hold JSON");
        }

        return parsed as JsonObject ?? throw Failed($"{secret.Origin} does not hold a JSON object");
    }

    private static OperationFailedException Failed(string reason) =>
        new($"Failed to read self-hosted credentials: {reason}", ConnectorErrorKinds.CredentialsError);
}
