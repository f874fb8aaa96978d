namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// The largest answer body each endpoint may send (docs/protocol.md §10). A larger body is an error
/// before it is an allocation: the declared length is checked first, and bytes are counted as
/// they arrive when no length is declared.
/// </summary>
internal static class ResponseLimits
{
    /// <summary>E1 envelopes and E2 answers (which may carry <c>next_operation</c>).</summary>
    public const long Envelope = 16L * 1024 * 1024;

    /// <summary>E5: the full body of an operation too big to inline.</summary>
    public const long OperationBody = 64L * 1024 * 1024;

    /// <summary>E3, E4 and E6, whose answers the agent does not need.</summary>
    public const long SmallAnswer = 64L * 1024;
}
