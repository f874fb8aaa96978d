namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>One request as <see cref="FaultProxy"/> saw it, with the fault it was given.</summary>
internal sealed record ProxiedRequest(DateTimeOffset At, string Method, string Path, string Query)
{
    public ProxyFault Fault { get; init; } = ProxyFault.PassThrough;

    /// <summary>The request's <c>x-mcd-agent-instance-id</c>: which agent process sent it.</summary>
    public string? InstanceId { get; init; }

    /// <summary>Matches <paramref name="method"/> and a path ending in <paramref name="pathSuffix"/> (the base URL's prefix aside).</summary>
    public bool Is(string method, string pathSuffix) =>
        string.Equals(Method, method, StringComparison.OrdinalIgnoreCase) && Path.EndsWith(pathSuffix, StringComparison.Ordinal);
}
