namespace EgressAgent.Application.Connectors;

/// <summary>
/// A command's resolved <c>args</c> and <c>kwargs</c>: JSON nodes as sent, with top-level
/// references, calls and <c>bytes</c> already replaced by their values (docs/protocol.md §12.2).
/// </summary>
public sealed record ProgramArguments(IReadOnlyList<object?> Positional, IReadOnlyDictionary<string, object?> Named)
{
    public static readonly ProgramArguments None = new([], new Dictionary<string, object?>());

    /// <summary>The argument at <paramref name="position"/>, else the one named <paramref name="name"/>, else null.</summary>
    public object? Get(int position, string name) =>
        position < Positional.Count ? Positional[position] : Named.GetValueOrDefault(name);
}
