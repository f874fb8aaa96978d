using System.Text.Json.Nodes;

namespace EgressAgent.Emulator;

/// <summary>One result PUT (E2), whatever it was answered.</summary>
/// <param name="At">Time the answer was decided.</param>
/// <param name="OperationId">The URL-decoded operation id from the path.</param>
/// <param name="InstanceId">The <c>x-mcd-agent-instance-id</c> header.</param>
/// <param name="Result">The body's <c>result</c> object, null when the body had none.</param>
/// <param name="StatusCode">Status answered; 499 when the client went away before the answer.</param>
/// <param name="RawBody">The body as received.</param>
public sealed record RecordedResult(
    DateTimeOffset At,
    string OperationId,
    string? InstanceId,
    JsonObject? Result,
    int StatusCode,
    string RawBody)
{
    /// <summary>True when the orchestrator answered 2xx, i.e. the result counts as delivered.</summary>
    public bool Accepted => StatusCode is >= 200 and < 300;

    /// <summary>
    /// What an accepted result's <c>__mcd_result_location__</c> served (gunzipped when the result
    /// said <c>__mcd_result_compressed__</c>), parsed as JSON: the whole result object for
    /// <c>response_type: json</c>, the value alone for <c>url</c> (docs/protocol.md §13). Null when
    /// there was no location, the fetch failed (<see cref="LocationError"/>) or fetching is off.
    /// </summary>
    public JsonNode? LocationBody { get; init; }

    /// <summary>Why fetching the location failed (status, timeout, size cap, not JSON); never the URL's query, which holds the signature.</summary>
    public string? LocationError { get; init; }
}
