using EgressAgent.Application.Connectors;
using Microsoft.Extensions.Configuration;

namespace EgressAgent.Host.Composition;

/// <summary>
/// <c>EgressAgent:Connectors:&lt;type&gt;:ReadOnly</c> (docs/protocol.md §12.4): read by hand, since the
/// type names sit beside the section's fixed settings where no binding can tell them apart; plain
/// configuration reads, so the native build needs nothing more. Also the readability check of
/// those values (docs/adr/0028): an unreadable one is listed with the other problems, exit 2.
/// </summary>
internal sealed class ConnectorTypeSettings : IConfigurationValueCheck
{
    private const string ReadOnlyKey = "ReadOnly";

    /// <summary>Fills <paramref name="options"/> with every configured, readable <c>&lt;type&gt;:ReadOnly</c>.</summary>
    public static void Read(ConnectorsOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (type, setting) in ReadOnlySettings(configuration))
        {
            if (bool.TryParse(setting.Value, out var readOnly))
            {
                options.SetReadOnly(type, readOnly);
            }
        }
    }

    public IEnumerable<(string Key, string Problem)> Unreadable(IConfiguration configuration)
    {
        foreach (var (_, setting) in ReadOnlySettings(configuration))
        {
            if (!bool.TryParse(setting.Value, out _))
            {
                yield return (setting.Path, $"{setting.Path} has an unreadable value '{setting.Value}' (true or false).");
            }
        }
    }

    private static IEnumerable<(string Type, IConfigurationSection Setting)> ReadOnlySettings(IConfiguration configuration) =>
        configuration.GetSection(ConnectorsOptions.SectionName).GetChildren()
            .Select(type => (type.Key, Setting: type.GetSection(ReadOnlyKey)))
            .Where(t => t.Setting.Value is not null);
}
