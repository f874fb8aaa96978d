using System.Globalization;
using System.Reflection;
using System.Text.Json;
using EgressAgent.Application.Configuration;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using Microsoft.Extensions.Configuration;

namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>
/// What the recipes must agree with, read from the product itself — its options classes, the
/// appsettings.json it ships, its build output — never from copies in the tests.
/// </summary>
internal static class ProductFacts
{
    /// <summary>The sections of the configuration; a setting the agent reads is a property of one of them.</summary>
    private static readonly Type[] Sections =
    [
        typeof(OrchestratorOptions), typeof(EndpointTimeoutOptions), typeof(EventsOptions), typeof(OperationsOptions),
        typeof(HeartbeatOptions), typeof(ShutdownOptions), typeof(StorageOptions), typeof(ResultsOptions),
        typeof(ConnectionsOptions), typeof(ManagementOptions),
    ];

    /// <summary>The defaults an operator gets of a section: its options class overlaid with the shipped appsettings.json.</summary>
    public static T Defaults<T>()
        where T : IAgentOptionsSection, new() => Bind<T>([]);

    /// <summary>The file <c>dotnet EgressAgent.Host.dll</c> is started from (the agent the E2E tests run).</summary>
    public static string HostAssemblyFile { get; } = typeof(Program).Assembly.GetName().Name + ".dll";

    /// <summary>The native agent's executable: NativeAOT names it after the host assembly.</summary>
    public static string HostExecutable { get; } = Path.GetFileNameWithoutExtension(HostAssemblyFile);

    /// <summary>
    /// The native libraries the host's packages bring for <paramref name="runtimeIdentifier"/>
    /// (libe_sqlite3.so, libduckdb.so, …), as the build output lays them out under
    /// <c>runtimes/&lt;rid&gt;/native</c>; a self-contained publish puts the same files beside the binary.
    /// </summary>
    public static IReadOnlyList<string> NativeLibraries(string runtimeIdentifier)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "runtimes", runtimeIdentifier, "native");
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList()
            : throw new InvalidOperationException($"No native libraries for {runtimeIdentifier} in the build output ({directory}).");
    }

    /// <summary>
    /// Whether the agent loads ICU: its runtimeconfig does not turn globalization-invariant mode on
    /// (docs/adr/0040: SqlClient refuses invariant mode, so the host leaves it unset).
    /// </summary>
    public static bool UsesIcu { get; } = !LoadConfigProperty("System.Globalization.Invariant").GetValueOrDefault();

    /// <summary>The framework names of the host's runtimeconfig.json, e.g. Microsoft.AspNetCore.App → 10.0.0.</summary>
    public static IReadOnlyDictionary<string, Version> Frameworks { get; } = LoadFrameworks();

    /// <summary>The agent's configuration after environment variables: docs/protocol.md §8's <c>Section__Key</c> form.</summary>
    public static T Bind<T>(IEnumerable<KeyValuePair<string, string>> environment)
        where T : IAgentOptionsSection, new()
    {
        var options = new T();
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Appsettings())
            .AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
            .Build();
        configuration.GetSection(T.SectionName).Bind(options);
        return options;
    }

    /// <summary>
    /// True when <paramref name="environmentVariable"/> (<c>EgressAgent__Section__Key</c>) names a
    /// setting the agent reads: a property of one of the sections, or a named connection's.
    /// </summary>
    public static bool IsKnownSetting(string environmentVariable)
    {
        var key = environmentVariable.Replace("__", ":", StringComparison.Ordinal);
        foreach (var section in Sections)
        {
            var name = (string)section.GetField("SectionName")!.GetValue(null)!;
            if (!key.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var rest = key[(name.Length + 1)..].Split(':');
            if (section == typeof(ConnectionsOptions))
            {
                // Connections:<name>:<Key>.
                return rest.Length == 2 && FindProperty(typeof(ConnectionOptions), rest[1]) is not null;
            }

            if (rest.Length == 1 && FindProperty(section, rest[0]) is { } property
                && (property.PropertyType.IsValueType || property.PropertyType == typeof(string)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A TimeSpan as the configuration binder reads it (docs/protocol.md §8 durations).</summary>
    public static TimeSpan Duration(string text) => TimeSpan.Parse(text, CultureInfo.InvariantCulture);

    private static PropertyInfo? FindProperty(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);

    private static string Appsettings()
    {
        var appsettings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        return File.Exists(appsettings)
            ? appsettings
            : throw new InvalidOperationException($"The host's appsettings.json is not next to the tests ({appsettings}).");
    }

    private static string RuntimeConfig => Path.Combine(AppContext.BaseDirectory, Path.ChangeExtension(HostAssemblyFile, ".runtimeconfig.json"));

    private static bool? LoadConfigProperty(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RuntimeConfig));
        return document.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var properties)
            && properties.TryGetProperty(name, out var value)
                ? value.GetBoolean()
                : null;
    }

    private static Dictionary<string, Version> LoadFrameworks()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RuntimeConfig));
        var runtime = document.RootElement.GetProperty("runtimeOptions");
        var frameworks = runtime.TryGetProperty("frameworks", out var many)
            ? many.EnumerateArray().ToList()
            : [runtime.GetProperty("framework")];
        return frameworks.ToDictionary(f => f.GetProperty("name").GetString()!, f => Version.Parse(f.GetProperty("version").GetString()!));
    }
}
