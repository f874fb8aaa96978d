using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Ports;

/// <summary>A loaded entry: its operation and a way to read the result's JSON, not the result itself.</summary>
public sealed record StoredResult(string OperationId, IResultBody Body);
