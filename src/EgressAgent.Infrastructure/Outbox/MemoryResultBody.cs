using EgressAgent.Application.Results;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// A just-stored result's bytes, kept while it waits for its first delivery so that sending it
/// reads nothing back from the disk (docs/adr/0032). The bytes are never changed once stored.
/// </summary>
internal sealed class MemoryResultBody(ReadOnlyMemory<byte> utf8) : IResultBody
{
    public long Length => utf8.Length;

    public Task CopyToAsync(System.IO.Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.WriteAsync(utf8, cancellationToken).AsTask();
    }
}
