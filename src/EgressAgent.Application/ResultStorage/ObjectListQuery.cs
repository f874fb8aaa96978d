namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// What <c>list_objects</c> asks for (docs/protocol.md §13): objects whose key (relative to the
/// configured prefix) starts with <see cref="Prefix"/>, at most <see cref="BatchSize"/> of them,
/// from <see cref="ContinuationToken"/> (a page token an earlier page returned) on, grouped by
/// <see cref="Delimiter"/> when given (keys past the delimiter are not listed).
/// </summary>
public sealed record ObjectListQuery(string? Prefix, int? BatchSize, string? ContinuationToken, string? Delimiter);
