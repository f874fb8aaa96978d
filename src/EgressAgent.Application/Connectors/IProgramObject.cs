namespace EgressAgent.Application.Connectors;

/// <summary>
/// Something a command can name as its target (docs/protocol.md §12.2): a session, a cursor,
/// <c>__utils</c>. The set of methods is closed: each implementation answers the names it lists
/// and throws <see cref="ProgramMethodNotFoundException"/> for any other; nothing is looked up by reflection.
/// </summary>
public interface IProgramObject
{
    /// <summary>
    /// Calls <paramref name="method"/> with resolved arguments, or returns its value when it is
    /// not callable (<c>description</c>, <c>rowcount</c>: the arguments are then ignored). The
    /// value is a JSON node (null for none), bytes (<see cref="byte"/>[]), or another <see cref="IProgramObject"/>.
    /// </summary>
    ValueTask<object?> InvokeAsync(string method, ProgramArguments arguments, CancellationToken cancellationToken);
}
