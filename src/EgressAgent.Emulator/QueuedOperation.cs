namespace EgressAgent.Emulator;

/// <summary>An operation with its E1 envelope already serialised.</summary>
internal readonly record struct QueuedOperation(string OperationId, string EnvelopeJson);
