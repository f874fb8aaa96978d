using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Ports;

/// <summary>A stored result's key and when it was computed (its age decides expiry).</summary>
public sealed record OutboxEntry(string Key, DateTimeOffset CreatedAt);
