using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;

namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>
/// deploy/kubernetes rendered as an operator renders it (<c>kubectl kustomize</c>), checked
/// against the product's own defaults and the container recipe (docs/protocol.md §11, docs/adr/0023).
/// </summary>
public sealed class KubernetesManifestTests
{
    [ToolFact("kubectl")]
    public async Task The_base_renders_a_StatefulSet_its_headless_service_a_disruption_budget_and_no_credential()
    {
        var manifests = await RenderAsync();

        Assert.Equal(
            new[] { "ConfigMap", "PodDisruptionBudget", "Service", "StatefulSet" },
            manifests.Select(m => (string)m["kind"]!).Order(StringComparer.Ordinal));
        var service = Single(manifests, "Service");
        Assert.Equal("None", (string?)service["spec"]!["clusterIP"]);
        Assert.Equal((string?)service["metadata"]!["name"], (string?)Single(manifests, "StatefulSet")["spec"]!["serviceName"]);
    }

    [ToolFact("kubectl")]
    public async Task Each_replica_keeps_its_own_outbox_volume_at_the_data_directory()
    {
        var manifests = await RenderAsync();
        var statefulSet = Single(manifests, "StatefulSet");
        var agent = Agent(statefulSet);
        var dataDirectory = ProductFacts.Bind<StorageOptions>(Environment(manifests, agent)).DataDirectory;

        Assert.True(Path.IsPathRooted(dataDirectory), $"the data directory {dataDirectory} must be absolute (the root filesystem is read-only)");
        var mount = Assert.Single(agent["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == dataDirectory)!;
        var claims = statefulSet["spec"]!["volumeClaimTemplates"]!.AsArray().Select(c => (string?)c!["metadata"]!["name"]);
        Assert.Contains((string?)mount["name"], claims);
        Assert.Null(mount["subPath"]);
    }

    [ToolFact("kubectl")]
    public async Task The_grace_period_covers_the_explicit_shutdown_budget_plus_three_seconds()
    {
        var manifests = await RenderAsync();
        var statefulSet = Single(manifests, "StatefulSet");
        var environment = Environment(manifests, Agent(statefulSet));

        Assert.True(environment.ContainsKey("EgressAgent__Shutdown__Budget"), "the manifest states the budget its grace period was sized for");
        var budget = ProductFacts.Bind<ShutdownOptions>(environment).Budget;
        Assert.Equal(ProductFacts.Defaults<ShutdownOptions>().Budget, budget);
        var grace = TimeSpan.FromSeconds((long)PodSpec(statefulSet)["terminationGracePeriodSeconds"]!);
        Assert.True(grace >= budget + TimeSpan.FromSeconds(3), $"terminationGracePeriodSeconds {grace.TotalSeconds} < budget {budget.TotalSeconds} s + 3 s");
    }

    [ToolFact("kubectl")]
    public async Task Probes_ask_livez_and_readyz_on_the_port_the_agent_serves_its_management_endpoints_on()
    {
        var manifests = await RenderAsync();
        var agent = Agent(Single(manifests, "StatefulSet"));
        var url = new Uri(Environment(manifests, agent)["EgressAgent__Management__Urls"]);
        Assert.Equal("0.0.0.0", url.Host); // the kubelet probes the pod's address, not its loopback

        Assert.Equal(("/livez", url.Port), Probe(agent, "livenessProbe"));
        Assert.Equal(("/readyz", url.Port), Probe(agent, "readinessProbe"));
        // Starting is the agent's own business: an orchestrator outage must not restart pods.
        Assert.Equal(("/livez", url.Port), Probe(agent, "startupProbe"));
    }

    [ToolFact("kubectl")]
    public async Task The_token_file_is_the_secret_mounted_as_a_directory_readable_by_its_owner_only()
    {
        var manifests = await RenderAsync();
        var statefulSet = Single(manifests, "StatefulSet");
        var agent = Agent(statefulSet);
        var tokenFile = ProductFacts.Bind<OrchestratorOptions>(Environment(manifests, agent)).TokenFile!;

        var mount = Assert.Single(agent["volumeMounts"]!.AsArray(), m => tokenFile.StartsWith((string)m!["mountPath"]! + "/", StringComparison.Ordinal))!;
        Assert.True((bool?)mount["readOnly"]);
        Assert.Null(mount["subPath"]); // a subPath mount never sees a rotated Secret
        var secret = Assert.Single(PodSpec(statefulSet)["volumes"]!.AsArray(), v => (string?)v!["name"] == (string?)mount["name"])!["secret"]!;
        var item = Assert.Single(secret["items"]!.AsArray())!;
        Assert.Equal(tokenFile, $"{mount["mountPath"]}/{item["path"]}");
        Assert.Equal(0, (long)secret["defaultMode"]! & 0b000_111_111); // no group or other bits (docs/protocol.md §10)
    }

    [ToolFact("kubectl")]
    public async Task The_container_runs_as_the_images_non_root_user_with_a_read_only_root_no_capabilities_and_a_writable_tmp()
    {
        var manifests = await RenderAsync();
        var statefulSet = Single(manifests, "StatefulSet");
        var pod = PodSpec(statefulSet);
        var agent = Agent(statefulSet);
        var security = agent["securityContext"]!;

        Assert.True((bool?)security["readOnlyRootFilesystem"]);
        Assert.False((bool?)security["allowPrivilegeEscalation"]);
        Assert.Equal(new[] { "ALL" }, security["capabilities"]!["drop"]!.AsArray().Select(c => (string?)c));
        Assert.True((bool?)security["runAsNonRoot"] ?? (bool?)pod["securityContext"]!["runAsNonRoot"]);
        var imageUser = ContainerRecipe.Load(DeployFiles.Dockerfile).Final.Last("USER")!.Arguments;
        Assert.Equal(imageUser, ((long?)security["runAsUser"] ?? (long?)pod["securityContext"]!["runAsUser"])?.ToString(CultureInfo.InvariantCulture));

        // Path.GetTempPath(): large SQL results spill there.
        var tmp = Assert.Single(agent["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/tmp")!;
        Assert.NotNull(Assert.Single(pod["volumes"]!.AsArray(), v => (string?)v!["name"] == (string?)tmp["name"])!["emptyDir"]);
    }

    [ToolFact("kubectl")]
    public async Task Resources_are_the_ones_docs_operations_Sizing_derives_from_the_native_agents_measured_figures()
    {
        var manifests = await RenderAsync();
        var resources = Agent(Single(manifests, "StatefulSet"))["resources"]!;
        var requestText = (string)resources["requests"]!["memory"]!;
        var limitText = (string)resources["limits"]!["memory"]!;
        var requested = Quantity(requestText) / (double)Mi;
        var limit = Quantity(limitText) / (double)Mi;
        var sizing = SizingFigures.Load();

        // The arithmetic the section states holds, and its measured figures are docs/performance.md's.
        var busy = sizing.Figure("busy");
        Assert.Equal(sizing.Figure("peak during a burst") + sizing.Figure("a 1,000,000-row"), busy, 1);
        var performance = File.ReadAllText(DeployFiles.Performance);
        foreach (var measured in new[] { "idle, as shipped", "peak during a burst", "a 1,000,000-row" })
        {
            var text = sizing.Figure(measured).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
            Assert.True(performance.Contains(text, StringComparison.Ordinal), $"docs/performance.md does not state the '{measured}' figure {text} docs/operations.md sizes from");
        }

        // The request covers a busy native agent with headroom, and is not a guess far above it.
        Assert.InRange(requested, busy * 1.2, busy * 2);
        // The GC's hard limit (75 % of the container's) holds a busy agent and one fetchmany at
        // its cap (docs/adr/0043), so running out of memory ends an operation, not the pod.
        Assert.True(0.75 * limit >= busy + sizing.Figure("one `fetchmany`"), $"memory limit {limitText}: 75 % of it is below busy {busy} MiB + one fetchmany at its cap");
        Assert.NotNull(resources["requests"]!["cpu"]);
        Assert.Null(resources["limits"]!["cpu"]); // CFS throttling would delay heartbeats
        Assert.Contains($"memory: {requestText}", sizing.Text, StringComparison.Ordinal);
        Assert.Contains($"memory: {limitText}", sizing.Text, StringComparison.Ordinal);
    }

    [ToolFact("kubectl")]
    public async Task The_disruption_budget_and_the_service_select_the_agent_pods()
    {
        var manifests = await RenderAsync();
        var labels = Single(manifests, "StatefulSet")["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();

        foreach (var selector in new[] { Single(manifests, "PodDisruptionBudget")["spec"]!["selector"]!["matchLabels"]!, Single(manifests, "Service")["spec"]!["selector"]! })
        {
            Assert.NotEmpty(selector.AsObject());
            Assert.All(selector.AsObject(), pair => Assert.Equal((string?)pair.Value, (string?)labels[pair.Key]));
        }

        Assert.Equal(1, (long)Single(manifests, "PodDisruptionBudget")["spec"]!["maxUnavailable"]!);
    }

    [ToolFact("kubectl")]
    public async Task Logs_are_json_and_every_agent_setting_is_one_the_agent_reads()
    {
        var manifests = await RenderAsync();
        var environment = Environment(manifests, Agent(Single(manifests, "StatefulSet")));

        Assert.Equal("json", environment["Logging__Console__FormatterName"]);
        var settings = environment.Keys.Where(k => k.StartsWith("EgressAgent__", StringComparison.Ordinal)).ToList();
        Assert.All(settings, key => Assert.True(ProductFacts.IsKnownSetting(key), $"{key} is not a setting of the agent"));
    }

    private const long Mi = 1024 * 1024;

    /// <summary>The figures table of docs/operations.md "### Sizing": <c>| figure | MiB | from |</c>.</summary>
    private sealed record SizingFigures(string Text, IReadOnlyList<(string Name, double MiB)> Rows)
    {
        public static SizingFigures Load()
        {
            var operations = File.ReadAllText(DeployFiles.Operations);
            var start = operations.IndexOf("\n### Sizing\n", StringComparison.Ordinal);
            Assert.True(start >= 0, "docs/operations.md has no '### Sizing' section");
            var end = operations.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            var text = operations[start..(end < 0 ? operations.Length : end)];
            var rows = text.Split('\n')
                .Where(l => l.StartsWith('|'))
                .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
                .Select(cells => (Name: cells[1].Trim('*'), Value: cells[2].Trim('*')))
                .Where(c => double.TryParse(c.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                .Select(c => (c.Name, double.Parse(c.Value, NumberStyles.Float, CultureInfo.InvariantCulture)))
                .ToList();
            return new SizingFigures(text, rows);
        }

        public double Figure(string startsWith) =>
            Assert.Single(Rows, r => r.Name.StartsWith(startsWith, StringComparison.Ordinal)).MiB;
    }

    private static async Task<IReadOnlyList<JsonObject>> RenderAsync()
    {
        var (exitCode, output, error) = await ExternalTool.RunAsync("kubectl", "kustomize", DeployFiles.KubernetesBase);
        Assert.True(exitCode == 0, $"kubectl kustomize failed ({exitCode}): {error}");
        return CanonicalYaml.ReadDocuments(output);
    }

    private static JsonObject Single(IEnumerable<JsonObject> manifests, string kind) =>
        Assert.Single(manifests, m => (string?)m["kind"] == kind);

    private static JsonNode PodSpec(JsonObject statefulSet) => statefulSet["spec"]!["template"]!["spec"]!;

    private static JsonNode Agent(JsonObject statefulSet) => Assert.Single(PodSpec(statefulSet)["containers"]!.AsArray())!;

    /// <summary>The container's environment as the kubelet builds it: envFrom ConfigMaps first, env entries win.</summary>
    private static Dictionary<string, string> Environment(IEnumerable<JsonObject> manifests, JsonNode container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container["envFrom"]?.AsArray() ?? new JsonArray())
        {
            var name = (string?)source!["configMapRef"]?["name"] ?? throw new InvalidOperationException("Only configMapRef sources are expected.");
            var configMap = Assert.Single(manifests, m => (string?)m["kind"] == "ConfigMap" && (string?)m["metadata"]!["name"] == name);
            foreach (var (key, value) in configMap["data"]!.AsObject())
            {
                environment[key] = (string)value!;
            }
        }

        foreach (var variable in container["env"]!.AsArray())
        {
            environment[(string)variable!["name"]!] = (string)variable["value"]!;
        }

        return environment;
    }

    /// <summary>A probe's path and port number (a named port resolved to its containerPort).</summary>
    private static (string? Path, int Port) Probe(JsonNode container, string probe)
    {
        var get = container[probe]!["httpGet"]!;
        var port = get["port"]!;
        var number = port.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? (long)port
            : (long)Assert.Single(container["ports"]!.AsArray(), p => (string?)p!["name"] == (string)port!)!["containerPort"]!;
        return ((string?)get["path"], (int)number);
    }

    /// <summary>A Kubernetes memory quantity in bytes (binary suffixes only, which the manifests use).</summary>
    private static long Quantity(string text)
    {
        var suffixes = new Dictionary<string, long> { ["Ki"] = 1024, ["Mi"] = Mi, ["Gi"] = 1024 * Mi };
        var suffix = suffixes.Keys.FirstOrDefault(s => text.EndsWith(s, StringComparison.Ordinal));
        return suffix is null
            ? long.Parse(text, CultureInfo.InvariantCulture)
            : long.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * suffixes[suffix];
    }
}
