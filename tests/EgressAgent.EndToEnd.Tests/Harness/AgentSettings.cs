using EgressAgent.Emulator;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>The agent's configuration for one test, passed as <c>EgressAgent__Section__Key</c> environment variables.</summary>
internal sealed class AgentSettings
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public string WorkingDirectory { get; set; } = AppContext.BaseDirectory;

    /// <summary>A JIT agent built elsewhere (its <c>EgressAgent.Host.dll</c>); null for the agent under test.</summary>
    public string? HostAssembly { get; set; }

    /// <summary>A native agent published elsewhere (its executable); null for the agent under test.</summary>
    public string? NativeExecutable { get; set; }

    /// <summary>Extra environment variables (e.g. the reference agent's aliases).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>Sets <c>EgressAgent:&lt;key&gt;</c>, e.g. <c>Set("Operations:Workers", "2")</c>.</summary>
    public AgentSettings Set(string key, string value)
    {
        _values[key] = value;
        return this;
    }

    public AgentSettings Remove(string key)
    {
        _values.Remove(key);
        return this;
    }

    /// <summary>Defaults for tests: the emulator's credential, fast polling, a short budget, info logs.</summary>
    public static AgentSettings For(OrchestratorEmulator emulator, string dataDirectory) =>
        new AgentSettings()
            .Set("Orchestrator:BaseUrl", emulator.BaseUrl.ToString())
            .Set("Orchestrator:TokenId", EmulatorCredential.Id)
            .Set("Orchestrator:TokenSecret", EmulatorCredential.Secret)
            .Set("Operations:Workers", "4")
            .Set("Operations:PollInterval", "00:00:05")
            .Set("Shutdown:Budget", "00:00:05")
            .Set("Storage:DataDirectory", dataDirectory);

    public IEnumerable<KeyValuePair<string, string>> ToEnvironment()
    {
        foreach (var (key, value) in _values)
        {
            yield return new($"EgressAgent__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
        }

        yield return new("Logging__LogLevel__Default", "Information");
        yield return new("DOTNET_NOLOGO", "1");
        foreach (var pair in Environment)
        {
            yield return pair;
        }
    }
}

/// <summary>The credential every test emulator accepts; tests grep output for the secret.</summary>
internal static class EmulatorCredential
{
    public const string Id = "e2e-key-id";
    public const string Secret = "e2e-SECRET-never-logged-7f3a";

    public static EmulatorOptions Options(string pathPrefix = "") => new()
    {
        TokenId = Id,
        TokenSecret = Secret,
        PathPrefix = pathPrefix,
    };
}
