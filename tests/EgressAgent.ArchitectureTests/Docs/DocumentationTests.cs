using System.Text.RegularExpressions;
using EgressAgent.ArchitectureTests.Support;

namespace EgressAgent.ArchitectureTests.Docs;

/// <summary>
/// The documents are a map a newcomer can follow: every decision is in the ADR index, every
/// relative link lands on a file, and nothing points outside the repository (docs/adr/README.md).
/// </summary>
public sealed partial class DocumentationTests
{
    private static readonly string Root = RepositoryRoot.Find();

    [Fact]
    public void Every_ADR_is_listed_in_the_index_with_a_status()
    {
        var adrDirectory = Path.Combine(Root, "docs", "adr");
        var index = File.ReadAllText(Path.Combine(adrDirectory, "README.md"));
        var records = Directory.EnumerateFiles(adrDirectory, "0*.md").Select(Path.GetFileName).OfType<string>().ToList();
        Assert.True(records.Count > 40, $"only {records.Count} ADRs found in {adrDirectory}");

        var missing = records.Where(r => !index.Contains($"]({r})", StringComparison.Ordinal)).ToList();
        var withoutStatus = records.Where(r => !File.ReadLines(Path.Combine(adrDirectory, r)).Take(6).Any(l => l.StartsWith("Status:", StringComparison.Ordinal))).ToList();

        Assert.True(missing.Count == 0, "not in docs/adr/README.md: " + string.Join(", ", missing));
        Assert.True(withoutStatus.Count == 0, "no Status: line: " + string.Join(", ", withoutStatus));
    }

    [Fact]
    public void Every_relative_link_in_the_documents_lands_on_a_file()
    {
        var broken = Documents()
            .SelectMany(doc => RelativeLink().Matches(File.ReadAllText(doc))
                .Select(m => m.Groups["target"].Value)
                .Where(target => !File.Exists(Path.Combine(Path.GetDirectoryName(doc)!, target)) && !Directory.Exists(Path.Combine(Path.GetDirectoryName(doc)!, target)))
                .Select(target => $"{Path.GetRelativePath(Root, doc)} → {target}"))
            .ToList();

        Assert.True(broken.Count == 0, string.Join(Environment.NewLine, broken));
    }

    [Fact]
    public void No_document_or_source_refers_to_an_issue_number_or_to_files_outside_the_repository()
    {
        var sources = new[] { "src", "tests" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.EndsWith(nameof(DocumentationTests) + ".cs", StringComparison.Ordinal));

        var found = Documents().Concat(sources)
            .SelectMany(file => File.ReadLines(file)
                .Select((line, n) => (line, n))
                .Where(l => OutsideReference().IsMatch(l.line))
                .Select(l => $"{Path.GetRelativePath(Root, file)}:{l.n + 1}: {l.line.Trim()}"))
            .ToList();

        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
    }

    [Fact]
    public void The_outside_reference_rule_finds_what_it_is_for()
    {
        Assert.Matches(OutsideReference(), "as issue 11 asks");
        Assert.Matches(OutsideReference(), "the design card's libraries");
        Assert.Matches(OutsideReference(), "see ../shared/protocol.md");
        Assert.DoesNotMatch(OutsideReference(), "using var server = Issue(ca, \"CN=db\");");
    }

    private static IEnumerable<string> Documents() =>
        Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories)
            .Append(Path.Combine(Root, "README.md"));

    // [text](target) where target is neither a URL nor an in-page anchor; the anchor part is dropped.
    [GeneratedRegex(@"\]\((?<target>(?!https?:|mailto:|#)[^)#\s]+)(?:#[^)]*)?\)", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RelativeLink();

    [GeneratedRegex(@"\b[Ii]ssue \d+\b|\bdesign card\b|\.\./shared/|/work/", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex OutsideReference();
}
