using EgressAgent.Application.Configuration;
using System.Globalization;

namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>
/// deploy/container/Dockerfile against the product (issue 10, docs/protocol.md §11). There is no
/// container engine on the build machines, so the recipe is checked against what
/// <c>dotnet publish</c> produces and what the agent reads, not built.
/// </summary>
public sealed class ContainerRecipeTests
{
    private readonly ContainerRecipe _recipe = ContainerRecipe.Load(DeployFiles.Dockerfile);

    [Fact]
    public void The_image_is_built_in_an_sdk_stage_and_runs_on_the_runtime_the_host_was_built_for()
    {
        Assert.True(_recipe.Stages.Count >= 2, "multi-stage: the SDK stays out of the image");
        var build = _recipe.Stages[0];
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", build.Image, StringComparison.Ordinal);

        // The host needs ASP.NET Core's shared framework as well as .NET's: the aspnet image has both.
        var runtime = ProductFacts.Frameworks["Microsoft.NETCore.App"];
        var image = ProductFacts.Frameworks.ContainsKey("Microsoft.AspNetCore.App") ? "aspnet" : "runtime";
        Assert.Equal($"mcr.microsoft.com/dotnet/{image}:{runtime.Major}.{runtime.Minor}", _recipe.Final.Image);
        Assert.Equal($"{runtime.Major}.{runtime.Minor}", build.Image.Split(':')[1]);
    }

    [Fact]
    public void The_entry_point_runs_the_published_host_assembly_with_the_run_command()
    {
        var publish = Assert.Single(_recipe.Stages[0].All("RUN"), r => r.Arguments.StartsWith("dotnet publish ", StringComparison.Ordinal)).Arguments.Split(' ');
        var project = publish[2];
        Assert.True(File.Exists(Path.Combine(DeployFiles.RepositoryRoot, project, Path.GetFileName(project) + ".csproj")), $"{project} is not the host project");
        Assert.Equal(Path.GetFileNameWithoutExtension(ProductFacts.HostAssemblyFile), Path.GetFileName(project));
        Assert.Equal("Release", publish[Array.IndexOf(publish, "-c") + 1]);
        var output = publish[Array.IndexOf(publish, "-o") + 1];

        var workingDirectory = _recipe.Final.Last("WORKDIR")!.Arguments;
        Assert.Contains(_recipe.Final.All("COPY"), c => c.Arguments == $"--from={_recipe.Stages[0].Name} {output} ./");
        Assert.Equal(new[] { "dotnet", ProductFacts.HostAssemblyFile, "run" }, _recipe.Final.Last("ENTRYPOINT")!.ExecForm);
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, ProductFacts.HostAssemblyFile)));
        Assert.True(Path.IsPathRooted(workingDirectory));
    }

    [Fact]
    public void The_agent_runs_as_a_numeric_non_root_user_that_owns_the_outbox_volume()
    {
        var user = _recipe.Final.Last("USER")!.Arguments;
        Assert.True(int.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && uid > 0, $"USER {user} must be a non-zero uid (runAsNonRoot checks numbers)");

        var dataDirectory = ProductFacts.Bind<StorageOptions>(_recipe.Final.Environment()).DataDirectory;
        Assert.True(Path.IsPathRooted(dataDirectory), $"the data directory {dataDirectory} must be absolute, not under the read-only working directory");
        Assert.Equal($"[\"{dataDirectory}\"]", _recipe.Final.Last("VOLUME")!.Arguments);
        var prepare = Assert.Single(_recipe.Final.All("RUN")).Arguments;
        Assert.Contains($"chown {uid}:{uid} {dataDirectory}", prepare, StringComparison.Ordinal);
        Assert.Contains($"chmod 0700 {dataDirectory}", prepare, StringComparison.Ordinal);
    }

    [Fact]
    public void The_management_port_is_exposed_and_is_the_one_the_agent_listens_on()
    {
        var urls = _recipe.Final.Environment()["EgressAgent__Management__Urls"];
        var url = new Uri(urls);

        Assert.Equal("0.0.0.0", url.Host); // reachable from outside the container's loopback
        Assert.Equal(url.Port.ToString(CultureInfo.InvariantCulture), _recipe.Final.Last("EXPOSE")!.Arguments);
    }

    [Fact]
    public void The_stop_signal_starts_the_graceful_drain()
    {
        Assert.Equal("SIGTERM", _recipe.Final.Last("STOPSIGNAL")!.Arguments);
    }

    [Fact]
    public void Every_agent_setting_in_the_image_is_one_the_agent_reads()
    {
        var settings = _recipe.Final.Environment().Keys.Where(k => k.StartsWith("EgressAgent__", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(settings);
        Assert.All(settings, key => Assert.True(ProductFacts.IsKnownSetting(key), $"{key} is not a setting of the agent"));
    }
}
