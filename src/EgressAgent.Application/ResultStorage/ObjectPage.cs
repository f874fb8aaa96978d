namespace EgressAgent.Application.ResultStorage;

/// <summary>One page of a listing: its objects and the token of the next page, null on the last.</summary>
public sealed record ObjectPage(IReadOnlyList<StoredObjectInfo> Objects, string? NextPageToken);
