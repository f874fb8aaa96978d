using System.Text.Json.Nodes;

namespace EgressAgent.Host.Commands;

/// <summary>One operation the demo queues; <paramref name="Credentials"/> goes beside it in the envelope (docs/protocol.md §12.1).</summary>
internal sealed record DemoSample(string Label, string Path, JsonObject Operation, bool Oversized = false, JsonObject? Credentials = null);
