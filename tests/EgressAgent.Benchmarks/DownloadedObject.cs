using System.IO.Compression;
using System.Text;

namespace EgressAgent.Benchmarks;

/// <summary>
/// The object a location result points at, fetched by its pre-signed URL into a file, never into
/// memory (it is 1 GiB): its size, and whether it is the result object the agent stored (begins
/// with <c>{"__mcd_result__":</c>, ends with the trace id and <c>}</c>, gunzipped first when it was gzipped).
/// The file is kept for the raw upload of the same bytes; disposing deletes it.
/// </summary>
internal sealed class DownloadedObject : IDisposable
{
    private const int BufferSize = 1024 * 1024;

    private DownloadedObject(string path, long bytes, long resultBytes, string? problem)
    {
        Path = path;
        Bytes = bytes;
        ResultBytes = resultBytes;
        Problem = problem;
    }

    public string Path { get; }

    /// <summary>The object's size.</summary>
    public long Bytes { get; }

    /// <summary>The result object's size: <see cref="Bytes"/>, or the gunzipped size of a gzipped object.</summary>
    public long ResultBytes { get; }

    /// <summary>Null when the object is the result object; otherwise what is wrong with it.</summary>
    public string? Problem { get; }

    public static async Task<DownloadedObject> FetchAsync(Uri location, string traceId, bool gzipped, string directory, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(directory, $"egress-bench-object-{Guid.NewGuid():N}");
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan }; // the caller's token bounds it
        using (var response = await client.GetAsync(location, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
        {
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await body.CopyToAsync(file, BufferSize, cancellationToken);
        }

        var bytes = new FileInfo(path).Length;
        await using var stored = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using Stream result = gzipped ? new GZipStream(stored, CompressionMode.Decompress) : stored;
        var (resultBytes, head, tail) = await HeadAndTailAsync(result, cancellationToken);
        string? problem = null;
        if (!head.StartsWith("{\"__mcd_result__\":", StringComparison.Ordinal))
        {
            problem = $"does not begin as a result object: {head[..Math.Min(60, head.Length)]}";
        }
        else if (!tail.EndsWith($"\"__mcd_trace_id__\":\"{traceId}\"}}", StringComparison.Ordinal))
        {
            problem = $"does not end with its trace id: …{tail[Math.Max(0, tail.Length - 60)..]}";
        }

        return new DownloadedObject(path, bytes, resultBytes, problem);
    }

    public void Dispose() => File.Delete(Path);

    /// <summary>Reads the stream to its end: its length, its first and its last 256 bytes.</summary>
    private static async Task<(long Length, string Head, string Tail)> HeadAndTailAsync(Stream content, CancellationToken cancellationToken)
    {
        const int Kept = 256;
        var buffer = new byte[BufferSize];
        var head = new List<byte>(Kept);
        var tail = new byte[Kept];
        var tailLength = 0;
        long length = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            head.AddRange(buffer.AsSpan(0, Math.Min(read, Kept - head.Count)));
            if (read >= Kept)
            {
                buffer.AsSpan(read - Kept, Kept).CopyTo(tail);
                tailLength = Kept;
            }
            else
            {
                // Shift the kept tail left and append this short read.
                var keep = Math.Min(tailLength, Kept - read);
                tail.AsSpan(tailLength - keep, keep).CopyTo(tail);
                buffer.AsSpan(0, read).CopyTo(tail.AsSpan(keep));
                tailLength = keep + read;
            }

            length += read;
        }

        return (length, Encoding.UTF8.GetString([.. head]), Encoding.UTF8.GetString(tail, 0, tailLength));
    }
}
