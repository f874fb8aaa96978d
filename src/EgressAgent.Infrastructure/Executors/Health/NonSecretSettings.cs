using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Text;

namespace EgressAgent.Infrastructure.Executors.Health;

/// <summary>
/// The agent's settings as flat <c>Section:Key</c> pairs for health's <c>parameters</c>, every
/// key <see cref="SecretNames"/> calls secret left out (token secret and file, connection strings)
/// and URLs without user info or query.
/// </summary>
internal static class NonSecretSettings
{
    private const string Root = "EgressAgent:";

    /// <summary>Keys relative to <c>EgressAgent</c>, e.g. <c>Orchestrator:Timeouts:Ping</c>.</summary>
    public static JsonObject Of(IEnumerable<(string SectionName, object Options)> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var settings = new JsonObject();
        foreach (var (sectionName, options) in sections)
        {
            var prefix = sectionName.StartsWith(Root, StringComparison.OrdinalIgnoreCase) ? sectionName[Root.Length..] : sectionName;
            if (options is IDictionary named)
            {
                FlattenEntries(settings, prefix, named);
            }
            else
            {
                Flatten(settings, prefix, options);
            }
        }

        return settings;
    }

    private static void FlattenEntries(JsonObject settings, string key, IDictionary sections)
    {
        foreach (DictionaryEntry entry in sections)
        {
            if (entry.Value is not null)
            {
                Flatten(settings, $"{key}:{entry.Key}", entry.Value);
            }
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075:UnrecognizedReflectionPattern", Justification = "Every options type lives in EgressAgent.Application, which the native build roots (TrimmerRootAssembly), so its public properties are kept.")]
    private static void Flatten(JsonObject settings, string? prefix, object options)
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (SecretNames.IsSecret(property.Name) || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var key = prefix is null ? property.Name : $"{prefix}:{property.Name}";
            switch (property.GetValue(options))
            {
                case null:
                    break;
                case IDictionary sections:
                    FlattenEntries(settings, key, sections);
                    break;
                case string text:
                    settings[key] = SecretNames.WithoutUrlCredentials(text);
                    break;
                case var value when IsLeaf(value.GetType()):
                    settings[key] = WireValues.ToJson(value);
                    break;
                case var section:
                    Flatten(settings, key, section);
                    break;
            }
        }
    }

    private static bool IsLeaf(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal);
}
