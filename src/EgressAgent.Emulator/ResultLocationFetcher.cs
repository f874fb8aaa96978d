using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EgressAgent.Emulator;

/// <summary>
/// Follows a result's <c>__mcd_result_location__</c> as the orchestrator does (docs/protocol.md §13):
/// one bounded GET (timeout and size cap, both before and after gunzip), then the body parsed as
/// JSON. What it reports never holds the URL's query: that is the pre-signed URL's signature.
/// </summary>
internal sealed class ResultLocationFetcher : IDisposable
{
    public const string LocationKey = "__mcd_result_location__";
    public const string CompressedKey = "__mcd_result_compressed__";

    /// <summary>As deep as the E2 bodies the emulator accepts: the object is the result itself.</summary>
    private static readonly JsonDocumentOptions BodyOptions = new() { MaxDepth = 1024 };

    private readonly HttpClient client = new(new SocketsHttpHandler
    {
        // A store answers the URL itself; a redirect elsewhere is not what §13 describes.
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // bounded per fetch, body included
    };

    /// <summary>The location a result names, null when it names none (or not as a string).</summary>
    public static string? LocationOf(JsonObject? result) =>
        result is not null && result.TryGetPropertyValue(LocationKey, out var node) && node is JsonValue value && value.TryGetValue<string>(out var location)
            ? location
            : null;

    /// <summary>The body as JSON, or why there is none; never throws for what the location served.</summary>
    public async Task<(JsonNode? Body, string? Error)> FetchAsync(string location, bool compressed, TimeSpan timeout, long maxBytes, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return (null, "the location is not an absolute http(s) URL");
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, bound.Token);
            if (!response.IsSuccessStatusCode)
            {
                return (null, string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}"));
            }

            await using var served = await response.Content.ReadAsStreamAsync(bound.Token);
            var bytes = await ReadCappedAsync(served, maxBytes, bound.Token);
            if (bytes is null)
            {
                return (null, string.Create(CultureInfo.InvariantCulture, $"the object is larger than {maxBytes} bytes"));
            }

            if (compressed)
            {
                await using var gzip = new GZipStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress);
                bytes = await ReadCappedAsync(gzip, maxBytes, bound.Token);
                if (bytes is null)
                {
                    return (null, string.Create(CultureInfo.InvariantCulture, $"the object gunzips to more than {maxBytes} bytes"));
                }
            }

            return (JsonNode.Parse(bytes, documentOptions: BodyOptions), null);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"not fetched within {timeout}"));
        }
        catch (HttpRequestException exception)
        {
            // The message names the host and port at most, never the URL's query.
            return (null, $"{exception.HttpRequestError}: {exception.Message}");
        }
        catch (InvalidDataException)
        {
            return (null, "the object is not gzip although the result says __mcd_result_compressed__");
        }
        catch (JsonException exception)
        {
            return (null, "the object is not JSON: " + exception.Message);
        }
        catch (IOException exception)
        {
            return (null, "reading the object failed: " + exception.Message);
        }
    }

    public void Dispose() => client.Dispose();

    /// <summary>At most <paramref name="maxBytes"/> bytes; null when the stream holds more.</summary>
    private static async Task<byte[]?> ReadCappedAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (copy.Length + read > maxBytes)
            {
                return null;
            }

            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }
}
