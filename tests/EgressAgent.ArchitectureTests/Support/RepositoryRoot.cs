namespace EgressAgent.ArchitectureTests.Support;

/// <summary>The checkout the tests were built from, found by walking up to the solution file.</summary>
internal static class RepositoryRoot
{
    private const string SolutionFile = "EgressAgent.sln";

    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        // No silent skip: a rule that cannot see the sources must not report success.
        Assert.Fail($"No {SolutionFile} above {AppContext.BaseDirectory}; source placement rules need the checkout.");
        return string.Empty;
    }
}
