namespace EgressAgent.Infrastructure.ResultStorage;

/// <summary>Reads a stream of unknown length one part at a time into a buffer the caller owns.</summary>
internal static class PartReader
{
    /// <summary>Fills <paramref name="buffer"/> as far as the stream goes; fewer bytes than its length means the stream ended.</summary>
    public static async Task<int> FillAsync(System.IO.Stream content, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await content.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
