namespace EgressAgent.Application.ResultStorage;

/// <summary>One listed object: its key relative to the configured prefix, size in bytes, entity tag and last change.</summary>
public sealed record StoredObjectInfo(string Key, long Size, string? ETag, DateTimeOffset? LastModified);
