using System.Collections.Frozen;

namespace EgressAgent.Application.Execution;

/// <summary>Maps a path to its executor, first match wins (docs/protocol.md §5.2).</summary>
internal sealed class OperationRouter
{
    private readonly FrozenDictionary<string, IOperationExecutor> _execute;
    private readonly FrozenDictionary<string, IOperationExecutor> _exact;

    public OperationRouter(IEnumerable<IOperationExecutor> executors)
    {
        var all = executors.ToList();
        var duplicate = all.GroupBy(e => (e.Route.IsExecute, e.Route.Key)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two executors claim the route '{duplicate.Key.Key}': {string.Join(", ", duplicate.Select(e => e.GetType().Name))}.");
        }

        _execute = all.Where(e => e.Route.IsExecute).ToFrozenDictionary(e => e.Route.Key, StringComparer.Ordinal);
        _exact = all.Where(e => !e.Route.IsExecute).ToFrozenDictionary(e => e.Route.Key, StringComparer.Ordinal);
    }

    public IOperationExecutor? Find(string path)
    {
        if (OperationRoute.ExecuteKeyOf(path) is { } key)
        {
            return _execute.GetValueOrDefault(key);
        }

        return _exact.GetValueOrDefault(path);
    }
}
