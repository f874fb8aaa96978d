namespace EgressAgent.Application.Events.Dispatching;

/// <summary>One SSE message: its joined data lines and its id, if the server sent one.</summary>
public sealed record StreamMessage(string Data, string? EventId);
