using System.Collections.Frozen;
using EgressAgent.Application.Connectors;

namespace EgressAgent.Application.Execution;

/// <summary>
/// Maps a path to its executor, first match wins (docs/protocol.md §5.2). An execute path whose
/// <c>&lt;connector&gt;</c> no executor claims goes to the connection types
/// (<see cref="ConnectorProgramExecutor"/>), which answer an unknown type themselves; a claimed
/// connector with an unknown name (<c>builtin/nope</c>) stays unsupported.
/// </summary>
internal sealed class OperationRouter
{
    private readonly FrozenDictionary<string, IOperationExecutor> _execute;
    private readonly FrozenSet<string> _connectors;
    private readonly FrozenDictionary<string, IOperationExecutor> _exact;
    private readonly ConnectorProgramExecutor? _connectionTypes;

    public OperationRouter(IEnumerable<IOperationExecutor> executors, ConnectorProgramExecutor? connectionTypes = null)
    {
        var all = executors.ToList();
        var duplicate = all.GroupBy(e => (e.Route.IsExecute, e.Route.Key)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two executors claim the route '{duplicate.Key.Key}': {string.Join(", ", duplicate.Select(e => e.GetType().Name))}.");
        }

        _execute = all.Where(e => e.Route.IsExecute).ToFrozenDictionary(e => e.Route.Key, StringComparer.Ordinal);
        _connectors = _execute.Keys.Select(k => k[..k.IndexOf('/', StringComparison.Ordinal)]).ToFrozenSet(StringComparer.Ordinal);
        _exact = all.Where(e => !e.Route.IsExecute).ToFrozenDictionary(e => e.Route.Key, StringComparer.Ordinal);
        _connectionTypes = connectionTypes;
    }

    public IOperationExecutor? Find(string path)
    {
        if (OperationRoute.ExecuteKeyOf(path) is { } key)
        {
            if (_execute.GetValueOrDefault(key) is { } executor)
            {
                return executor;
            }

            return _connectors.Contains(key[..key.IndexOf('/', StringComparison.Ordinal)]) ? null : _connectionTypes;
        }

        return _exact.GetValueOrDefault(path);
    }
}
