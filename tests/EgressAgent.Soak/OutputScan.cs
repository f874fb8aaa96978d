using EgressAgent.Soak.Agents;
using EgressAgent.Soak.Checking;

namespace EgressAgent.Soak;

/// <summary>Looks for the soak's secrets in what the agents left behind: every line they printed and every file in their data directories.</summary>
internal static class OutputScan
{
    public static IEnumerable<SecretFinding> Of(AgentSlot slot, SoakSecrets secrets)
    {
        foreach (var life in slot.Lives)
        {
            var text = string.Join('\n', life.Process.Lines);
            foreach (var name in secrets.NamesFoundIn(text))
            {
                yield return new SecretFinding(name, $"the output of agent {slot.Index} pid {life.Pid}");
            }
        }

        if (!Directory.Exists(slot.DataDirectory))
        {
            yield break;
        }

        // Every file, whatever its name: the outbox's layout is the agent's business.
        foreach (var file in Directory.EnumerateFiles(slot.DataDirectory, "*", SearchOption.AllDirectories))
        {
            foreach (var name in secrets.NamesFoundIn(File.ReadAllText(file)))
            {
                yield return new SecretFinding(name, $"a file in agent {slot.Index}'s data directory ({Path.GetRelativePath(slot.DataDirectory, file)})");
            }
        }
    }
}
