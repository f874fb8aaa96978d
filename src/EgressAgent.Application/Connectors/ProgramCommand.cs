namespace EgressAgent.Application.Connectors;

/// <summary>
/// One parsed command of the commands program (docs/protocol.md §12.2). Each argument is a JSON node
/// passed as it is, a <see cref="ProgramReference"/>, a nested <see cref="ProgramCommand"/> (a
/// <c>__type__: call</c>) or bytes (<see cref="byte"/>[]), resolved when the command runs.
/// </summary>
internal sealed record ProgramCommand(
    string Method,
    string? Target,
    IReadOnlyList<object?> Args,
    IReadOnlyList<KeyValuePair<string, object?>> Kwargs,
    string? Store,
    ProgramCommand? Next)
{
    /// <summary>The variable a command runs on when it names none.</summary>
    public const string DefaultTarget = "_client";
}
