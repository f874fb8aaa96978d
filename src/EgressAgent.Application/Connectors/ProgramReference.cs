namespace EgressAgent.Application.Connectors;

/// <summary>A top-level argument <c>{"__reference__": "v"}</c>: the value of context variable <paramref name="Name"/>.</summary>
internal sealed record ProgramReference(string Name);
