using System.Globalization;
using EgressAgent.Application.Results;

namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>
/// deploy/container/Dockerfile (the native agent, shipped) and Dockerfile.jit (the JIT agent, the
/// documented alternative) against the product (docs/protocol.md §11, docs/adr/0044).
/// There is no container engine on the build machines, so the recipes are checked against what
/// <c>dotnet build</c> produces and what the agent reads, not built.
/// </summary>
public sealed class ContainerRecipeTests
{
    private readonly ContainerRecipe _native = ContainerRecipe.Load(DeployFiles.Dockerfile);
    private readonly ContainerRecipe _jit = ContainerRecipe.Load(DeployFiles.JitDockerfile);

    public static TheoryData<string> Recipes { get; } = new() { "Dockerfile", "Dockerfile.jit" };

    // --- the shipped image: the native agent ---------------------------------------------------

    [Fact]
    public void The_shipped_image_publishes_the_native_agent_in_an_sdk_stage_and_runs_it_on_runtime_deps()
    {
        Assert.True(_native.Stages.Count >= 2, "multi-stage: the SDK and the C toolchain stay out of the image");
        var runtime = ProductFacts.Frameworks["Microsoft.NETCore.App"];
        var version = $"{runtime.Major}.{runtime.Minor}";
        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{version}", _native.Stages[0].Image);
        // A self-contained binary needs the .NET images' native dependencies, not a .NET runtime.
        Assert.Equal($"mcr.microsoft.com/dotnet/runtime-deps:{version}", _native.Final.Image);

        var publish = Publish(_native);
        Assert.Contains("-p:PublishAot=true", publish);
        Assert.Equal("Release", Option(publish, "-c"));
        var project = publish[2];
        Assert.Equal(ProductFacts.HostExecutable, Path.GetFileName(project));
        Assert.True(File.Exists(Path.Combine(DeployFiles.RepositoryRoot, project, Path.GetFileName(project) + ".csproj")), $"{project} is not the host project");
        Assert.StartsWith("linux-", Option(publish, "-r"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_build_stage_installs_the_C_toolchain_and_zlib_headers_NativeAOT_links_with_before_publishing()
    {
        var build = _native.Stages[0].All("RUN").ToList();
        var install = Assert.Single(build, r => r.Arguments.Contains("apt-get install", StringComparison.Ordinal));
        var packages = install.Arguments.Split([' ', '&', ';'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("zlib1g-dev", packages);

        // The linker ILCompiler calls: the one the publish names (CppCompilerAndLinker), else clang.
        var publish = Publish(_native);
        var linker = publish.FirstOrDefault(a => a.StartsWith("-p:CppCompilerAndLinker=", StringComparison.Ordinal))?.Split('=')[1] ?? "clang";
        Assert.Contains(linker, packages);
        Assert.True(build.IndexOf(install) < build.FindIndex(r => r.Arguments.StartsWith("dotnet publish ", StringComparison.Ordinal)), "the toolchain is installed before the publish");
    }

    [Fact]
    public void The_binary_its_native_libraries_and_the_shipped_settings_are_copied_beside_each_other_and_nothing_else()
    {
        var publish = Publish(_native);
        var output = Option(publish, "-o").TrimEnd('/');
        var workingDirectory = _native.Final.Last("WORKDIR")!.Arguments;
        Assert.True(Path.IsPathRooted(workingDirectory));

        var (sources, destination) = Assert.Single(_native.Final.CopiesFrom(_native.Stages[0].Name!));
        Assert.Equal("./", destination);
        Assert.All(sources, s => Assert.Equal(output, Path.GetDirectoryName(s)));

        // libe_sqlite3.so, libduckdb.so, … as the packages bring them for the publish's runtime:
        // a driver added with a native library fails here until the image copies it too. No .dbg
        // symbols, no .pdb files.
        var expected = ProductFacts.NativeLibraries(Option(publish, "-r"))
            .Append(ProductFacts.HostExecutable)
            .Append("appsettings.json")
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, sources.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")), "the host ships an appsettings.json");

        Assert.Equal(new[] { $"{workingDirectory}/{ProductFacts.HostExecutable}", "run" }, _native.Final.Last("ENTRYPOINT")!.ExecForm);
    }

    [Fact]
    public void The_runtime_image_has_ICU_when_the_agent_loads_it()
    {
        Assert.True(ProductFacts.UsesIcu, "docs/adr/0040: the agent runs with ICU (SqlClient refuses invariant mode)");

        // runtime-deps (Debian) brings libicu; the build checks it is there rather than the agent at start.
        Assert.Contains(_native.Final.All("RUN"), r => r.Arguments.Contains("libicu", StringComparison.Ordinal));
        Assert.DoesNotContain("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", _native.Final.Environment().Keys);
        Assert.DoesNotContain("-p:InvariantGlobalization=true", Publish(_native));
    }

    // --- the alternative: the JIT agent --------------------------------------------------------

    [Fact]
    public void The_jit_image_is_built_in_an_sdk_stage_and_runs_on_the_runtime_the_host_was_built_for()
    {
        Assert.True(_jit.Stages.Count >= 2, "multi-stage: the SDK stays out of the image");
        var build = _jit.Stages[0];
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", build.Image, StringComparison.Ordinal);

        // The host needs ASP.NET Core's shared framework as well as .NET's: the aspnet image has both.
        var runtime = ProductFacts.Frameworks["Microsoft.NETCore.App"];
        var image = ProductFacts.Frameworks.ContainsKey("Microsoft.AspNetCore.App") ? "aspnet" : "runtime";
        Assert.Equal($"mcr.microsoft.com/dotnet/{image}:{runtime.Major}.{runtime.Minor}", _jit.Final.Image);
        Assert.Equal($"{runtime.Major}.{runtime.Minor}", build.Image.Split(':')[1]);
        Assert.DoesNotContain("-p:PublishAot=true", Publish(_jit));
    }

    [Fact]
    public void The_jit_entry_point_runs_the_published_host_assembly_with_the_run_command()
    {
        var publish = Publish(_jit);
        var project = publish[2];
        Assert.True(File.Exists(Path.Combine(DeployFiles.RepositoryRoot, project, Path.GetFileName(project) + ".csproj")), $"{project} is not the host project");
        Assert.Equal(Path.GetFileNameWithoutExtension(ProductFacts.HostAssemblyFile), Path.GetFileName(project));
        Assert.Equal("Release", Option(publish, "-c"));
        var output = Option(publish, "-o");

        var workingDirectory = _jit.Final.Last("WORKDIR")!.Arguments;
        Assert.Contains(_jit.Final.All("COPY"), c => c.Arguments == $"--from={_jit.Stages[0].Name} {output} ./");
        Assert.Equal(new[] { "dotnet", ProductFacts.HostAssemblyFile, "run" }, _jit.Final.Last("ENTRYPOINT")!.ExecForm);
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, ProductFacts.HostAssemblyFile)));
        Assert.True(Path.IsPathRooted(workingDirectory));
    }

    [Fact]
    public void The_native_and_jit_images_run_the_agent_alike_and_differ_only_in_how_it_is_built_and_started()
    {
        foreach (var instruction in new[] { "USER", "VOLUME", "EXPOSE", "STOPSIGNAL", "WORKDIR" })
        {
            Assert.Equal(_native.Final.Last(instruction)?.Arguments, _jit.Final.Last(instruction)?.Arguments);
        }

        Assert.Equal(AgentSettings(_native), AgentSettings(_jit));
        Assert.Equal(IgnoredPaths(_native), IgnoredPaths(_jit));
    }

    // --- both images ---------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Recipes))]
    public void The_agent_runs_as_a_numeric_non_root_user_that_owns_the_outbox_volume(string file)
    {
        var recipe = Load(file);
        var user = recipe.Final.Last("USER")!.Arguments;
        Assert.True(int.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && uid > 0, $"USER {user} must be a non-zero uid (runAsNonRoot checks numbers)");

        var dataDirectory = ProductFacts.Bind<StorageOptions>(recipe.Final.Environment()).DataDirectory;
        Assert.True(Path.IsPathRooted(dataDirectory), $"the data directory {dataDirectory} must be absolute, not under the read-only working directory");
        Assert.Equal($"[\"{dataDirectory}\"]", recipe.Final.Last("VOLUME")!.Arguments);
        var prepare = Assert.Single(recipe.Final.All("RUN")).Arguments;
        Assert.Contains($"chown {uid}:{uid} {dataDirectory}", prepare, StringComparison.Ordinal);
        Assert.Contains($"chmod 0700 {dataDirectory}", prepare, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void The_management_port_is_exposed_and_is_the_one_the_agent_listens_on(string file)
    {
        var recipe = Load(file);
        var url = new Uri(recipe.Final.Environment()["EgressAgent__Management__Urls"]);

        Assert.Equal("0.0.0.0", url.Host); // reachable from outside the container's loopback
        Assert.Equal(url.Port.ToString(CultureInfo.InvariantCulture), recipe.Final.Last("EXPOSE")!.Arguments);
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void The_stop_signal_starts_the_graceful_drain(string file)
    {
        Assert.Equal("SIGTERM", Load(file).Final.Last("STOPSIGNAL")!.Arguments);
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void Every_agent_setting_in_the_image_is_one_the_agent_reads(string file)
    {
        var settings = AgentSettings(Load(file)).Keys.ToList();

        Assert.NotEmpty(settings);
        Assert.All(settings, key => Assert.True(ProductFacts.IsKnownSetting(key), $"{key} is not a setting of the agent"));
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void The_build_context_leaves_out_build_outputs_and_the_git_directory(string file)
    {
        var ignored = IgnoredPaths(Load(file));

        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains(".git", ignored);
    }

    private static ContainerRecipe Load(string file) =>
        ContainerRecipe.Load(Path.Combine(Path.GetDirectoryName(DeployFiles.Dockerfile)!, file));

    /// <summary>The build stage's <c>dotnet publish</c> command, split into its words.</summary>
    private static string[] Publish(ContainerRecipe recipe) =>
        Assert.Single(recipe.Stages[0].All("RUN"), r => r.Arguments.StartsWith("dotnet publish ", StringComparison.Ordinal)).Arguments
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string Option(string[] command, string name)
    {
        var index = Array.IndexOf(command, name);
        Assert.True(index >= 0 && index + 1 < command.Length, $"{name} missing from: {string.Join(' ', command)}");
        return command[index + 1];
    }

    private static Dictionary<string, string> AgentSettings(ContainerRecipe recipe) =>
        recipe.Final.Environment()
            .Where(e => e.Key.StartsWith("EgressAgent__", StringComparison.Ordinal))
            .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    private static List<string> IgnoredPaths(ContainerRecipe recipe)
    {
        Assert.True(File.Exists(recipe.IgnoreFile), $"{recipe.IgnoreFile} is missing: the whole checkout would be sent to the builder");
        return File.ReadAllLines(recipe.IgnoreFile)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
    }
}
