using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// <c>storage</c> (docs/protocol.md §13): the configured object store, whatever the credentials say
/// (they are ignored). Methods: <c>list_objects</c>, <c>read</c>, <c>read_json</c>, <c>write</c>,
/// <c>delete</c>, <c>generate_presigned_url</c>, <c>is_bucket_private</c>; keys are relative to the
/// configured prefix. A missing object is <c>NotFound</c>, any other refusal of the store
/// <c>StorageError</c>, no store configured <c>StorageNotConfigured</c>. An object read whole is
/// capped like any value (docs/adr/0043).
/// </summary>
internal sealed class StorageConnectionType(IObjectStoreSource stores, IOptions<ResultStorageOptions> options) : IConnectionType
{
    public IReadOnlyList<string> Names { get; } = ["storage"];

    public IDataSourceClient CreateClient(ConnectionRequest request) => new Client(stores, options.Value.UrlExpiration);

    private sealed class Client(IObjectStoreSource stores, TimeSpan defaultExpiration) : IDataSourceClient
    {
        public Task<IDataSourceSession> OpenSessionAsync(SessionLimits limits, CancellationToken cancellationToken) =>
            Task.FromResult<IDataSourceSession>(new Session(
                stores.Store ?? throw new OperationFailedException("Result storage is not configured", ErrorKinds.StorageNotConfigured),
                defaultExpiration));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the store is shared and lives as long as the agent
    }

    private sealed class Session(IObjectStore store, TimeSpan defaultExpiration) : IDataSourceSession
    {
        private static readonly TimeSpan LongestUrl = TimeSpan.FromDays(7);

        public async ValueTask<object?> InvokeAsync(string method, ProgramArguments arguments, CancellationToken cancellationToken)
        {
            try
            {
                return method switch
                {
                    "list_objects" => await ListAsync(arguments, cancellationToken),
                    "read" => await ReadAsync(arguments, cancellationToken),
                    "read_json" => await ReadJsonAsync(arguments, cancellationToken),
                    "write" => await WriteAsync(arguments, cancellationToken),
                    "delete" => await DeleteAsync(arguments, cancellationToken),
                    "generate_presigned_url" => await PresignAsync(arguments, cancellationToken),
                    "is_bucket_private" => JsonValue.Create(await store.IsPrivateAsync(cancellationToken)),
                    _ => throw new ProgramMethodNotFoundException(method),
                };
            }
            catch (ObjectNotFoundException ex)
            {
                throw Failure(ex, ConnectorErrorKinds.NotFound);
            }
            catch (ObjectStoreException ex)
            {
                throw Failure(ex, ConnectorErrorKinds.StorageError);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private async Task<JsonObject> ListAsync(ProgramArguments arguments, CancellationToken cancellationToken)
        {
            var batchSize = Number(arguments.Get(1, "batch_size"), "batch_size");
            var query = new ObjectListQuery(
                Text(arguments.Get(0, "prefix"), "prefix"),
                batchSize is null ? null : (int)Math.Clamp(batchSize.Value, 1, 1000),
                Text(arguments.Get(2, "continuation_token"), "continuation_token"),
                Text(arguments.Get(3, "delimiter"), "delimiter"));
            var page = await store.ListAsync(query, cancellationToken);
            JsonArray? list = page.Objects.Count == 0 ? null : new JsonArray([.. page.Objects.Select(o => (JsonNode)new JsonObject
            {
                ["Key"] = o.Key,
                ["Size"] = o.Size,
                ["ETag"] = o.ETag,
                ["LastModified"] = WireValues.ToJson(o.LastModified),
            })]);
            return new JsonObject { ["list"] = list, ["page_token"] = page.NextPageToken };
        }

        private async Task<object> ReadAsync(ProgramArguments arguments, CancellationToken cancellationToken)
        {
            var bytes = await ReadWholeAsync(Key(arguments), Flag(arguments.Get(1, "decompress")), cancellationToken);
            return Text(arguments.Get(2, "encoding"), "encoding") is { } encoding ? JsonValue.Create(EncodingOf(encoding).GetString(bytes)) : bytes;
        }

        private async Task<JsonNode?> ReadJsonAsync(ProgramArguments arguments, CancellationToken cancellationToken)
        {
            var bytes = await ReadWholeAsync(Key(arguments), decompress: false, cancellationToken);
            try
            {
                return JsonNode.Parse(bytes);
            }
            catch (JsonException ex)
            {
                throw new OperationFailedException($"The object is not JSON: {ex.Message}", ConnectorErrorKinds.StorageError);
            }
        }

        private async Task<JsonObject> WriteAsync(ProgramArguments arguments, CancellationToken cancellationToken)
        {
            var key = Key(arguments);
            var (content, contentType) = arguments.Get(1, "obj_to_write") switch
            {
                byte[] bytes => (bytes, "application/octet-stream"),
                JsonValue value when value.GetValueKind() == JsonValueKind.String => (Encoding.UTF8.GetBytes(value.GetValue<string>()), "text/plain; charset=utf-8"),
                JsonNode node => (Encoding.UTF8.GetBytes(node.ToJsonString()), "application/json"),
                _ => throw Invalid("obj_to_write must be a string, bytes or a JSON value"),
            };
            using var stream = new MemoryStream(content, writable: false);
            await store.UploadAsync(key, stream, contentType, cancellationToken);
            return [];
        }

        private async Task<JsonObject> DeleteAsync(ProgramArguments arguments, CancellationToken cancellationToken)
        {
            await store.DeleteAsync(Key(arguments), cancellationToken);
            return [];
        }

        private async Task<JsonValue> PresignAsync(ProgramArguments arguments, CancellationToken cancellationToken)
        {
            var key = Key(arguments);
            var seconds = Number(arguments.Get(1, "expiration"), "expiration");
            var expiration = seconds is null ? defaultExpiration : TimeSpan.FromSeconds(seconds.Value);
            if (expiration <= TimeSpan.Zero || expiration > LongestUrl)
            {
                throw Invalid("expiration must be from 1 second to 7 days (604800 seconds)");
            }

            var url = await store.PresignGetAsync(key, expiration, cancellationToken);
            return JsonValue.Create(url.AbsoluteUri);
        }

        private async Task<byte[]> ReadWholeAsync(string key, bool decompress, CancellationToken cancellationToken)
        {
            await using var stored = await store.OpenReadAsync(key, cancellationToken);
            await using var content = decompress ? new GZipStream(stored, CompressionMode.Decompress) : stored;
            using var whole = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (whole.Length + read > ResourceLimits.MaxValueBytes)
                {
                    throw ResourceLimits.ValueTooLarge("object", whole.Length + read);
                }

                whole.Write(buffer, 0, read);
            }

            return whole.ToArray();
        }

        private static string Key(ProgramArguments arguments) =>
            Text(arguments.Get(0, "key"), "key") is { Length: > 0 } key ? key : throw Invalid("key is required");

        private static string? Text(object? value, string name) => value switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => throw Invalid($"{name} must be a string"),
        };

        private static double? Number(object? value, string name) => value switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var n) && double.IsFinite(n) => n,
            _ => throw Invalid($"{name} must be a number"),
        };

        private static bool Flag(object? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.True;

        /// <summary>Python's codec names (<c>utf-8</c>, <c>utf8</c>, <c>latin-1</c>, <c>ascii</c>) as well as .NET's.</summary>
        private static Encoding EncodingOf(string name) => name.ToLowerInvariant().Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal) switch
        {
            "utf8" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            "ascii" or "usascii" => Encoding.ASCII,
            "latin1" or "iso88591" => Encoding.Latin1,
            "utf16" or "utf16le" => Encoding.Unicode,
            "utf16be" => Encoding.BigEndianUnicode,
            "utf32" or "utf32le" => Encoding.UTF32,
            _ => throw Invalid($"Unknown encoding: {name}"),
        };

        private static OperationFailedException Invalid(string message) => new(message, ConnectorErrorKinds.ProgramError);

        // The store's message names the provider, the step and the error code: never a key or signature.
        private static OperationFailedException Failure(ObjectStoreException ex, string kind) =>
            new(ex.Message, kind) { ExceptionText = $"{kind}: {ex.Message}" };
    }
}
