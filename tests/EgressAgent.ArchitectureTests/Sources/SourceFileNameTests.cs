using EgressAgent.ArchitectureTests.Support;

namespace EgressAgent.ArchitectureTests.Sources;

/// <summary>A file in src/ holds one top-level type and is named after it (docs/adr/0028).</summary>
public sealed class SourceFileNameTests
{
    [Fact]
    public void Every_source_file_holds_one_top_level_type_named_like_the_file()
    {
        var source = Path.Combine(RepositoryRoot.Find(), "src");
        var files = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(source, f)))
            .ToList();
        Assert.True(files.Count > 100, $"only {files.Count} source files found under {source}");

        var problems = files.SelectMany(f => SourceFileNames.Problems(Path.GetRelativePath(source, f), File.ReadAllText(f))).ToList();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Two_top_level_types_in_one_file_are_found()
    {
        const string text = "namespace N;\n\npublic interface IWorkSignal\n{\n}\n\ninternal sealed class WorkSignal : IWorkSignal\n{\n    private sealed class Nested;\n}\n";

        var problem = Assert.Single(SourceFileNames.Problems("IWorkSignal.cs", text));

        Assert.Contains("IWorkSignal, WorkSignal", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_named_unlike_its_type_is_found_and_a_nested_type_is_not_counted()
    {
        const string text = "namespace N;\n\n[Obsolete]\ninternal sealed partial record Goodbye(string Reason)\n{\n    internal enum Kind { A }\n}\n";

        Assert.Equal(["Goodbye"], SourceFileNames.TopLevelTypes(text));
        Assert.Single(SourceFileNames.Problems("GoodbyeEvent.cs", text));
        Assert.Empty(SourceFileNames.Problems("Goodbye.cs", text));
    }

    private static bool IsBuildOutput(string relative) =>
        relative.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin");
}
