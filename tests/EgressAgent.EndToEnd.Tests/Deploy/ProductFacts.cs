using System.Globalization;
using System.Reflection;
using System.Text.Json;
using EgressAgent.Application.Configuration;
using Microsoft.Extensions.Configuration;

namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>
/// What the recipes must agree with, read from the product itself — its options classes, the
/// appsettings.json it ships, its build output — never from copies in the tests.
/// </summary>
internal static class ProductFacts
{
    /// <summary>The defaults an operator gets: the options classes overlaid with the shipped appsettings.json.</summary>
    public static AgentOptions Defaults { get; } = LoadDefaults();

    /// <summary>The file <c>dotnet EgressAgent.Host.dll</c> is started from (the agent the E2E tests run).</summary>
    public static string HostAssemblyFile { get; } = typeof(Program).Assembly.GetName().Name + ".dll";

    /// <summary>The framework names of the host's runtimeconfig.json, e.g. Microsoft.AspNetCore.App → 10.0.0.</summary>
    public static IReadOnlyDictionary<string, Version> Frameworks { get; } = LoadFrameworks();

    /// <summary>The agent's configuration after environment variables: docs/protocol.md §8's <c>Section__Key</c> form.</summary>
    public static AgentOptions Bind(IEnumerable<KeyValuePair<string, string>> environment)
    {
        var options = LoadDefaults();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
            .Build();
        configuration.GetSection(AgentOptions.SectionName).Bind(options);
        return options;
    }

    /// <summary>
    /// True when <paramref name="environmentVariable"/> (<c>EgressAgent__Section__Key</c>) names a
    /// setting the agent reads: a property of <see cref="AgentOptions"/>, or a named connection's.
    /// </summary>
    public static bool IsKnownSetting(string environmentVariable)
    {
        var parts = environmentVariable.Split("__");
        if (parts.Length < 3 || !string.Equals(parts[0], AgentOptions.SectionName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var type = typeof(AgentOptions);
        for (var i = 1; i < parts.Length; i++)
        {
            var property = FindProperty(type, parts[i]);
            if (property is null)
            {
                return false;
            }

            type = property.PropertyType;
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                // Connections:<name>:<Key>: skip the name.
                type = type.GetGenericArguments()[1];
                i++;
            }
        }

        return type.IsValueType || type == typeof(string);
    }

    /// <summary>A TimeSpan as the configuration binder reads it (docs/protocol.md §8 durations).</summary>
    public static TimeSpan Duration(string text) => TimeSpan.Parse(text, CultureInfo.InvariantCulture);

    private static PropertyInfo? FindProperty(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);

    private static AgentOptions LoadDefaults()
    {
        var appsettings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (!File.Exists(appsettings))
        {
            throw new InvalidOperationException($"The host's appsettings.json is not next to the tests ({appsettings}).");
        }

        var options = new AgentOptions();
        new ConfigurationBuilder().AddJsonFile(appsettings).Build().GetSection(AgentOptions.SectionName).Bind(options);
        return options;
    }

    private static Dictionary<string, Version> LoadFrameworks()
    {
        var path = Path.Combine(AppContext.BaseDirectory, Path.ChangeExtension(HostAssemblyFile, ".runtimeconfig.json"));
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var runtime = document.RootElement.GetProperty("runtimeOptions");
        var frameworks = runtime.TryGetProperty("frameworks", out var many)
            ? many.EnumerateArray().ToList()
            : [runtime.GetProperty("framework")];
        return frameworks.ToDictionary(f => f.GetProperty("name").GetString()!, f => Version.Parse(f.GetProperty("version").GetString()!));
    }
}
