using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using EgressAgent.Application.Configuration;
using Microsoft.Extensions.Configuration;

namespace EgressAgent.Host.Composition;

/// <summary>
/// Tries every configured value of <typeparamref name="T"/>'s scalar properties with the conversion
/// the configuration binder uses, so an unreadable one is reported by its key — all of them — where
/// the binder would throw at the first (docs/adr/0028). Driven by the type's properties, not a key list.
/// Sections are flat (a nested section is its own options type), so one level is enough.
/// </summary>
internal sealed class ConfigurationValueCheck<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T> : IConfigurationValueCheck
    where T : IAgentOptionsSection
{
    public IEnumerable<(string Key, string Problem)> Unreadable(IConfiguration configuration)
    {
        var section = configuration.GetSection(T.SectionName);
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite || property.GetIndexParameters().Length > 0 || Conversion(property.PropertyType) is not { } conversion)
            {
                continue;
            }

            var setting = section.GetSection(property.Name);
            if (setting.Value is { } value && !conversion.Reads(value))
            {
                yield return (setting.Path, $"{setting.Path} has an unreadable value '{value}' ({conversion.Expected}).");
            }
        }
    }

    /// <summary>The binder's conversions (invariant culture) for the types the sections use; null: nothing to check.</summary>
    private static (Func<string, bool> Reads, string Expected)? Conversion(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(TimeSpan) => (v => TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out _), "durations look like 00:00:30"),
            var t when t == typeof(int) => (v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _), "a whole number"),
            var t when t == typeof(bool) => (v => bool.TryParse(v, out _), "true or false"),
            _ => null,
        };
}
