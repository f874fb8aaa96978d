using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Connectors;

/// <summary>
/// <c>EgressAgent:Connectors</c> (docs/protocol.md §12.4): how long clients and self-hosted secrets
/// are cached, and <c>Connectors:&lt;type&gt;:ReadOnly</c> per connection type (default true).
/// </summary>
/// <remarks>
/// The per-type keys sit beside the fixed settings, so the binder cannot bind them (a dictionary
/// binding would take the fixed settings for types too): the host reads them with
/// <see cref="SetReadOnly"/> (Host/Composition/ConnectorTypeSettings), without reflection.
/// </remarks>
public sealed class ConnectorsOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Connectors";

    private readonly Dictionary<string, bool> _readOnly = new(StringComparer.OrdinalIgnoreCase);

    static string IAgentOptionsSection.SectionName => SectionName;

    /// <summary>How long one client (its driver pool) is reused; <see cref="TimeSpan.Zero"/>: never, every operation opens and closes its own.</summary>
    public TimeSpan ClientCacheExpiration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a self-hosted secret (env var, file) is kept before it is read again.</summary>
    public TimeSpan SecretCacheExpiration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>Connectors:&lt;type&gt;:ReadOnly</c> for the name asked for (an alias such as <c>mariadb</c>),
    /// else for the type's own name, else true.
    /// </summary>
    public bool IsReadOnly(string typeName, string? ownName = null) =>
        _readOnly.TryGetValue(typeName, out var readOnly) ? readOnly
        : ownName is null || !_readOnly.TryGetValue(ownName, out var own) || own;

    public void SetReadOnly(string typeName, bool readOnly) => _readOnly[typeName] = readOnly;
}
