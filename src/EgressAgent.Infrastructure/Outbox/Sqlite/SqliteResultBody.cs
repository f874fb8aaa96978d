using System.Buffers;
using EgressAgent.Application.Ports;
using Microsoft.Data.Sqlite;

namespace EgressAgent.Infrastructure.Outbox.Sqlite;

/// <summary>
/// A stored result read from its row as a stream, with one pooled buffer, each time it is sent: publishing
/// holds that buffer, not the result (docs/adr/0009). Reads through a pooled read-only connection,
/// which in WAL mode never waits for the writer.
/// </summary>
internal sealed class SqliteResultBody(string connectionString, long id, long length) : IResultBody
{
    private const int BufferSize = 64 * 1024;

    public long Length => length;

    public async Task CopyToAsync(System.IO.Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var blob = new SqliteBlob(connection, "results", "result", id, readOnly: true);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = blob.Read(buffer, 0, BufferSize)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
