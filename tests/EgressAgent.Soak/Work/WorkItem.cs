using System.Text.Json.Nodes;

namespace EgressAgent.Soak.Work;

/// <summary>One operation to queue: its envelope's parts, or the raw text of a hostile envelope.</summary>
/// <param name="Kind">A short name for the summary and the operation id.</param>
/// <param name="Path">The envelope's <c>path</c>.</param>
/// <param name="Operation">Builds the <c>operation</c> object for a trace id.</param>
internal sealed record WorkItem(string Kind, string Path, Func<string, JsonObject> Operation)
{
    /// <summary>Connector credentials beside the operation (§12.1).</summary>
    public JsonObject? Credentials { get; init; }

    /// <summary>Served by E5: the E1 envelope says only <c>__mcd_size_exceeded__</c> (§5.1).</summary>
    public bool Oversized { get; init; }

    /// <summary>The whole envelope as text, from (operation id, trace id), for what a JsonObject cannot hold.</summary>
    public Func<string, string, string>? RawEnvelope { get; init; }

    /// <summary>False when the result's trace id cannot be compared (a lone surrogate is replaced, §10).</summary>
    public bool TraceCompared { get; init; } = true;

    /// <summary>False for an envelope the agent must skip (§5.1).</summary>
    public bool ReachesAWorker { get; init; } = true;
}
