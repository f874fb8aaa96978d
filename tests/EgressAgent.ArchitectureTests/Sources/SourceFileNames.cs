using System.Text.RegularExpressions;

namespace EgressAgent.ArchitectureTests.Sources;

/// <summary>
/// The top-level types a source file declares, read from its text: with file-scoped namespaces a
/// top-level declaration starts at column 0, a nested one is indented.
/// </summary>
internal static partial class SourceFileNames
{
    /// <summary>Every problem of one file: more than one top-level type, or a name that differs from its type's.</summary>
    public static IEnumerable<string> Problems(string fileName, string text)
    {
        var types = TopLevelTypes(text);
        var expected = Path.GetFileNameWithoutExtension(fileName);
        if (types.Count > 1)
        {
            yield return $"{fileName} declares {types.Count} top-level types ({string.Join(", ", types)}); one per file";
        }
        else if (types.Count == 1 && types[0] != expected)
        {
            yield return $"{fileName} declares {types[0]}; name the file {types[0]}.cs";
        }
    }

    public static IReadOnlyList<string> TopLevelTypes(string text) =>
        [.. Declaration().Matches(text).Select(m => m.Groups["name"].Value)];

    [GeneratedRegex(@"^(?:\[[^\]\r\n]*\]\s*)?(?:(?:public|internal|file|static|sealed|abstract|partial|readonly|ref)\s+)*(?:class|record\s+struct|record|struct|interface|enum|delegate\s+\S+)\s+(?<name>\w+)", RegexOptions.Multiline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Declaration();
}
