using System.Text.Json.Nodes;

namespace EgressAgent.Host.Commands;

internal sealed record DemoSample(string Label, string Path, JsonObject Operation, bool Oversized = false);
