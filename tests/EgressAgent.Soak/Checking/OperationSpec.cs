namespace EgressAgent.Soak.Checking;

/// <summary>
/// One operation the soak queued, and what the contract says must come of it.
/// </summary>
/// <param name="Id">The operation id (for a raw envelope, the label the emulator hands it out under, which is its id).</param>
/// <param name="Kind">What it is (<c>echo</c>, <c>sleep</c>, <c>sqlite</c>, <c>invalid-envelope</c>, …), for the summary.</param>
/// <param name="TraceId">The trace id its result must carry (§5.1), or null when it cannot be compared (a lone surrogate).</param>
/// <param name="ReachesAWorker">False for an envelope without <c>path</c>: skipped, it never reaches a worker and gets no result (§5.1).</param>
internal sealed record OperationSpec(string Id, string Kind, string? TraceId, bool ReachesAWorker = true);
