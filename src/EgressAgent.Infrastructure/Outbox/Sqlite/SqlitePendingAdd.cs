namespace EgressAgent.Infrastructure.Outbox.Sqlite;

/// <summary>
/// A result waiting for the writer's next commit: its bytes in memory (<see cref="Bytes"/>) or, for a
/// large one, in a private spill file (<see cref="SpillPath"/>, <see cref="Length"/> bytes) copied
/// into the row inside the commit. <see cref="Stored"/> completes with the row id once the commit is durable.
/// </summary>
internal sealed class SqlitePendingAdd(string operationId, long createdTicks, byte[]? bytes, string? spillPath, long length)
{
    public string OperationId { get; } = operationId;

    public long CreatedTicks { get; } = createdTicks;

    public byte[]? Bytes { get; } = bytes;

    public string? SpillPath { get; } = spillPath;

    public long Length { get; } = length;

    public TaskCompletionSource<long> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
