using System.Text.Json;

namespace EgressAgent.Application.Intake;

/// <summary>The raw envelope an E1 or a <c>next_operation</c> carried; validated by the pipeline.</summary>
public sealed record FetchedOperation(JsonElement Envelope);
