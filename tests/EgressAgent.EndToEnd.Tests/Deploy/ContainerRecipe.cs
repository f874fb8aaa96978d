using System.Text.Json;

namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>
/// A Dockerfile read as instructions, grouped by stage: comments dropped, backslash
/// continuations joined. Enough to check what the image will be, not a Dockerfile engine.
/// </summary>
internal sealed class ContainerRecipe
{
    private ContainerRecipe(string file, IReadOnlyList<Stage> stages)
    {
        File = file;
        Stages = stages;
    }

    public string File { get; }

    /// <summary>BuildKit's per-Dockerfile ignore file, <c>&lt;Dockerfile&gt;.dockerignore</c> beside it.</summary>
    public string IgnoreFile => File + ".dockerignore";

    public IReadOnlyList<Stage> Stages { get; }

    public Stage Final => Stages[^1];

    public static ContainerRecipe Load(string path)
    {
        var stages = new List<Stage>();
        var pending = string.Empty;
        foreach (var raw in System.IO.File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var full = (pending + line).Trim();
            pending = string.Empty;
            if (full.Length == 0)
            {
                continue;
            }

            var space = full.IndexOf(' ', StringComparison.Ordinal);
            var instruction = new Instruction(full[..space].ToUpperInvariant(), full[(space + 1)..].Trim());
            if (instruction.Name == "FROM")
            {
                var parts = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new Stage(parts[0], parts.Length == 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null, []));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add(instruction);
            }
            else if (instruction.Name != "ARG")
            {
                throw new FormatException($"{instruction.Name} before the first FROM");
            }
        }

        return new ContainerRecipe(path, stages);
    }

    internal sealed record Instruction(string Name, string Arguments)
    {
        /// <summary>The exec (JSON array) form, e.g. <c>ENTRYPOINT ["dotnet", "x.dll"]</c>; null in shell form.</summary>
        public IReadOnlyList<string>? ExecForm =>
            Arguments.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(Arguments) : null;
    }

    internal sealed record Stage(string Image, string? Name, List<Instruction> Instructions)
    {
        public IEnumerable<Instruction> All(string name) => Instructions.Where(i => i.Name == name);

        public Instruction? Last(string name) => Instructions.LastOrDefault(i => i.Name == name);

        /// <summary>
        /// <c>COPY --from=&lt;stage&gt; source… destination</c> instructions from <paramref name="stage"/>:
        /// their sources as written, with the destination.
        /// </summary>
        public IEnumerable<(IReadOnlyList<string> Sources, string Destination)> CopiesFrom(string stage) =>
            All("COPY")
                .Select(c => c.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(parts => parts[0] == $"--from={stage}")
                .Select(parts => ((IReadOnlyList<string>)parts[1..^1], parts[^1]));

        /// <summary>ENV NAME=value pairs (the key=value form, several per instruction), later ones win.</summary>
        public IReadOnlyDictionary<string, string> Environment()
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var env in All("ENV"))
            {
                foreach (var assignment in env.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var pair = assignment.Split('=', 2);
                    if (pair.Length != 2)
                    {
                        throw new FormatException($"Use ENV NAME=value: {env.Arguments}");
                    }

                    environment[pair[0]] = pair[1];
                }
            }

            return environment;
        }
    }
}
