namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>
/// A fact that needs a command-line tool (kubectl, systemd-analyze): skipped, with the reason,
/// when the tool is not on PATH — never faked.
/// </summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        if (ExternalTool.Find(tool) is null)
        {
            Skip = $"'{tool}' is not on PATH.";
        }
    }
}
