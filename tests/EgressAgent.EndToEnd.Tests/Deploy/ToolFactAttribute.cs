namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>
/// A fact that needs a command-line tool (kubectl, systemd-analyze): skipped, with the reason,
/// when the tool is not on PATH — never faked. Under <c>CI=true</c> it is never skipped: a
/// missing tool fails the test, so CI cannot go green without checking the recipes.
/// </summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        if (ExternalTool.Find(tool) is null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"'{tool}' is not on PATH.";
        }
    }
}
