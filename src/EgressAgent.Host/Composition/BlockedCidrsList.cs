using EgressAgent.Application.Execution;
using Microsoft.Extensions.Configuration;

namespace EgressAgent.Host.Composition;

/// <summary>
/// <c>EgressAgent:Network:BlockedCidrs</c> written as a list (a JSON array in appsettings.json, or
/// <c>EgressAgent__Network__BlockedCidrs__0</c>, <c>__1</c>, … in the environment): the binder reads only
/// the one-string form into <see cref="NetworkOptions.BlockedCidrs"/> and would leave a list out
/// silently — a block list nobody applies. Its entries are joined to that string instead, so the
/// validator checks each and the guard applies each (docs/adr/0047).
/// </summary>
internal static class BlockedCidrsList
{
    public static void Read(NetworkOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entries = configuration.GetSection(NetworkOptions.SectionName).GetSection(nameof(NetworkOptions.BlockedCidrs)).GetChildren()
            .Select(entry => entry.Value)
            .OfType<string>()
            .ToList();
        if (entries.Count > 0)
        {
            options.BlockedCidrs = string.Join(", ", entries.Prepend(options.BlockedCidrs ?? string.Empty).Where(e => e.Length > 0));
        }
    }
}
