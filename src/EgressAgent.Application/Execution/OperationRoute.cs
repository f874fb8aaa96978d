namespace EgressAgent.Application.Execution;

/// <summary>Where an executor is mounted (docs/protocol.md §5.2).</summary>
public sealed record OperationRoute
{
    public const string ExecutePrefix = "/api/v1/agent/execute/";

    private OperationRoute(string key) => Key = key;

    /// <summary>The path for exact routes; <c>connector/name</c> for execute routes.</summary>
    public string Key { get; }

    public bool IsExecute { get; private init; }

    /// <summary><c>/api/v1/agent/execute/&lt;connector&gt;/&lt;name&gt;</c>, matched as a prefix.</summary>
    public static OperationRoute Execute(string connector, string name) => new($"{connector}/{name}") { IsExecute = true };

    /// <summary>A whole path, matched exactly.</summary>
    public static OperationRoute Exact(string path) => new(path);

    /// <summary>The <c>connector/name</c> key of an execute path, or null when the path is not one.</summary>
    public static string? ExecuteKeyOf(string path)
    {
        if (!path.StartsWith(ExecutePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var segments = path[ExecutePrefix.Length..].Split('/', 3);
        return segments.Length >= 2 && segments[0].Length > 0 && segments[1].Length > 0
            ? $"{segments[0]}/{segments[1]}"
            : null;
    }
}
