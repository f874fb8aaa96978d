namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>The deployment recipes under <c>deploy/</c> in the checkout the tests were built from.</summary>
internal static class DeployFiles
{
    private const string SolutionFile = "EgressAgent.sln";

    public static string RepositoryRoot { get; } = FindRoot();

    public static string SystemdUnit => Path.Combine(RepositoryRoot, "deploy", "systemd", "egress-agent.service");

    /// <summary>The image the recipes ship: the native agent (docs/adr/0044).</summary>
    public static string Dockerfile => Path.Combine(RepositoryRoot, "deploy", "container", "Dockerfile");

    /// <summary>The documented alternative: the JIT agent on the ASP.NET Core runtime.</summary>
    public static string JitDockerfile => Path.Combine(RepositoryRoot, "deploy", "container", "Dockerfile.jit");

    public static string Operations => Path.Combine(RepositoryRoot, "docs", "operations.md");

    public static string Performance => Path.Combine(RepositoryRoot, "docs", "performance.md");

    public static string KubernetesBase => Path.Combine(RepositoryRoot, "deploy", "kubernetes");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        // No silent pass: a test that cannot see the recipes must fail.
        throw new InvalidOperationException($"No {SolutionFile} above {AppContext.BaseDirectory}; the deploy tests need the checkout.");
    }
}
