using EgressAgent.Application.Results;

namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// What goes out with E2 for a stored result: <paramref name="Body"/>; <paramref name="Uploaded"/>
/// when it is a location whose object is complete, so a retried E2 sends it again without uploading again.
/// </summary>
internal sealed record PreparedResult(IResultBody Body, bool Uploaded);
