using System.Text.Json;
using EgressAgent.Application.Intake;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Tests.Support;

internal static class Envelopes
{
    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static FetchedOperation Fetched(string operationId, string path = "/api/v1/agent/execute/test/op") =>
        new(Json($$$"""{"operation_id":"{{{operationId}}}","path":"{{{path}}}","operation":{}}"""));

    public static FetchedOperation Raw(string json) => new(Json(json));

    public static OperationEnvelope Envelope(string operationId, string path, string operationJson) =>
        OperationEnvelope.TryRead(Json($$$"""{"operation_id":"{{{operationId}}}","path":"{{{path}}}","operation":{{{operationJson}}}}"""))
        ?? throw new InvalidOperationException("test envelope is invalid");
}
