using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// Turns a stored result into what E2 sends, by its <see cref="ResultDelivery"/> and its stored size
/// (docs/protocol.md §5.3, §13; docs/adr/0049): the object uploaded to
/// <c>&lt;prefix&gt;/responses/&lt;trace_id&gt;</c> and its pre-signed location, the result gzipped
/// inline, a <c>Result too large</c> failure, or the result as it is. The upload streams from the
/// outbox (the result was durable before it started), gzipping or cutting on the way; a failed one
/// throws, and the publisher retries it with backoff until the result's time to live runs out.
/// </summary>
internal sealed partial class OutgoingResults(
    IOptions<ResultStorageOptions> options,
    ILogger<OutgoingResults> logger,
    IObjectStoreSource? storage = null, // optional: the Application alone (its tests) has no store
    UploadHealth? health = null)
{
    public const string LocationKey = "__mcd_result_location__";
    public const string CompressedKey = "__mcd_result_compressed__";

    /// <summary>The object a result goes to, relative to the configured prefix.</summary>
    public static string KeyOf(string traceId) => $"responses/{traceId}";

    public async Task<PreparedResult> PrepareAsync(StoredResult stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Delivery is not { IsPlain: false } delivery)
        {
            return new(stored.Body, Uploaded: false);
        }

        var size = stored.Body.Length;
        if (delivery.AsUrl)
        {
            return await OffloadAsync(stored, delivery, valueOnly: true, gzip: false, cancellationToken)
                ?? Failure(delivery, "Result storage is not configured", ErrorKinds.StorageNotConfigured);
        }

        if (delivery.SizeLimit is { } limit && size > limit)
        {
            return await OffloadAsync(stored, delivery, valueOnly: false, gzip: delivery.CompressFile, cancellationToken)
                ?? Failure(delivery, string.Create(CultureInfo.InvariantCulture, $"Result too large: {size} bytes > {limit}"), ErrorKinds.ResultTooLarge);
        }

        return delivery.CompressThreshold is { } threshold && size > threshold
            ? new(await InlineCompression.CompressAsync(stored.Body, delivery.TraceId, cancellationToken), Uploaded: false)
            : new(stored.Body, Uploaded: false);
    }

    /// <summary>Null when no store is configured.</summary>
    private async Task<PreparedResult?> OffloadAsync(StoredResult stored, ResultDelivery delivery, bool valueOnly, bool gzip, CancellationToken cancellationToken)
    {
        if (storage?.Store is not { } store)
        {
            return null;
        }

        var settings = options.Value;
        var key = KeyOf(delivery.TraceId);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(settings.UploadTimeout);
        long uploaded;
        Uri url;
        try
        {
            await using (var content = PipedContent.Start((destination, token) => WriteObjectAsync(stored.Body, delivery.TraceId, valueOnly, gzip, destination, token), bound.Token))
            {
                uploaded = await store.UploadAsync(key, content, gzip ? "application/gzip" : "application/json", bound.Token);
            }

            url = await store.PresignGetAsync(key, settings.UrlExpiration, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The store's own message names the step and its answer, never a key or a path; any
            // other failure is named by its type (the log line has the rest).
            health?.Failed(stored.OperationId, ex is ObjectStoreException ? ex.Message : ex.GetType().Name);
            throw;
        }

        health?.Cleared(stored.OperationId);
        LogOffloaded(logger, stored.OperationId, store.Provider, stored.Body.Length, uploaded, WithoutQuery(url));
        var location = new JsonObject { [LocationKey] = url.AbsoluteUri, [OperationResult.TraceIdKey] = delivery.TraceId };
        if (gzip)
        {
            location[CompressedKey] = true;
        }

        return new(new JsonResultBody(location), Uploaded: true);
    }

    /// <summary>The object's bytes: the whole result object (gzipped or not), or only its value.</summary>
    private static async Task WriteObjectAsync(IResultBody body, string traceId, bool valueOnly, bool gzip, Stream destination, CancellationToken cancellationToken)
    {
        if (valueOnly)
        {
            var value = new ResultValueStream(destination, body.Length, traceId);
            await body.CopyToAsync(value, cancellationToken);
            value.Complete();
            return;
        }

        if (!gzip)
        {
            await body.CopyToAsync(destination, cancellationToken);
            return;
        }

        // Fastest: the upload, not the ratio, is what a large result waits for (docs/adr/0049).
        await using var compressor = new GZipStream(destination, CompressionLevel.Fastest, leaveOpen: true);
        await body.CopyToAsync(compressor, cancellationToken);
    }

    /// <summary>The result left the outbox: whatever its uploads did, it no longer waits on the store.</summary>
    public void Forget(string operationId) => health?.Cleared(operationId);

    private static PreparedResult Failure(ResultDelivery delivery, string message, string kind) =>
        new(new JsonResultBody(OperationResult.Failure(message, kind, delivery.TraceId).ToJson()), Uploaded: false);

    /// <summary>A pre-signed URL for a log line: its query (the signature, a SAS token) left out.</summary>
    internal static string WithoutQuery(Uri url) => url.GetLeftPart(UriPartial.Path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Result of {OperationId} offloaded to {Provider}: {StoredBytes} bytes stored, {UploadedBytes} uploaded, at {Location}")]
    private static partial void LogOffloaded(ILogger logger, string operationId, string provider, long storedBytes, long uploadedBytes, string location);
}
