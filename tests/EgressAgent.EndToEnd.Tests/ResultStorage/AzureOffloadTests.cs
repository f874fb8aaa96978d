using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using EgressAgent.EndToEnd.Tests.Connectors;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Tests.Shared;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static EgressAgent.EndToEnd.Tests.Connectors.CommandsPrograms;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// docs/protocol.md §13 with <c>AzureBlob</c> through the real agent process against Microsoft's
/// Azure Storage emulator (azurite, started by <c>.ci/run</c>), configured as an operator would
/// (the <c>MCD_STORAGE*</c> variables and the account key): each published location is a read-only
/// SAS signed with the account key, the emulator fetches it before accepting the result, and what
/// it fetched must be the result the agent would otherwise have published. The account key and the
/// SAS signatures show nowhere but in the locations.
/// </summary>
public sealed class AzureOffloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Echo = EmulatorWaits.EchoPath;
    private const string Prefix = "agent-prefix";
    private const int PartSize = 5 * 1024 * 1024;
    private readonly string _container = $"egress-e2e-{Guid.NewGuid():N}"[..30];
    private readonly TempDirectory _files = new();
    private BlobContainerClient? _admin;

    public async Task InitializeAsync()
    {
        if (!AzuriteFactAttribute.Available)
        {
            return;
        }

        _admin = new BlobContainerClient(
            new Uri($"{AzuriteFactAttribute.Endpoint}/{_container}"),
            new StorageSharedKeyCredential(AzuriteFactAttribute.Account, AzuriteFactAttribute.Key));
        await _admin.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        _files.Dispose();
        if (_admin is not null)
        {
            await _admin.DeleteIfExistsAsync();
        }
    }

    [AzuriteFact]
    public async Task Large_gzipped_and_url_results_go_to_the_container_and_their_SAS_serves_exactly_the_result()
    {
        var filler = new string('x', 4000);
        var operations = new Dictionary<string, ConnectorOperation>
        {
            ["offloaded"] = new(Echo, new JsonObject { ["trace_id"] = "t-az-big", ["response_size_limit_bytes"] = 1000, ["filler"] = filler }),
            ["gzipped"] = new(Echo, new JsonObject { ["trace_id"] = "t-az-gz", ["response_size_limit_bytes"] = 1000, ["compress_response_file"] = true, ["filler"] = filler }),
            ["url"] = new(Echo, new JsonObject { ["trace_id"] = "t-az-url", ["response_type"] = "url", ["v"] = new JsonArray(1, "two", null) }),
            ["small"] = new(Echo, new JsonObject { ["trace_id"] = "t-az-small", ["response_size_limit_bytes"] = 100000 }),
        };

        var run = await ConnectorRun.RunAsync(output, operations, Configure);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var offloaded = run["offloaded"];
        Assert.Equal(["__mcd_result_location__", "__mcd_trace_id__"], offloaded.Select(p => p.Key));
        AssertJsonEqual(ResultObject(operations["offloaded"], "t-az-big"), run.Fetched("offloaded"));
        AssertJsonEqual(run.Fetched("offloaded"), JsonNode.Parse(await client.GetByteArrayAsync(LocationOf(offloaded, "t-az-big"))));

        var gzipped = run["gzipped"];
        Assert.True(gzipped["__mcd_result_compressed__"]!.GetValue<bool>());
        AssertJsonEqual(ResultObject(operations["gzipped"], "t-az-gz"), run.Fetched("gzipped"));
        var compressed = await client.GetByteArrayAsync(LocationOf(gzipped, "t-az-gz"));
        Assert.Equal([0x1f, 0x8b], compressed[..2]);
        Assert.True(compressed.Length < filler.Length / 10, $"{compressed.Length} bytes: not gzipped");
        Assert.Equal("application/gzip", (await Blob("t-az-gz").GetPropertiesAsync()).Value.ContentType);

        var url = run["url"];
        Assert.Null(url["__mcd_result_compressed__"]);
        LocationOf(url, "t-az-url");
        AssertJsonEqual(operations["url"].Operation, run.Fetched("url")); // the value alone, nothing around it

        Assert.Equal("t-az-small", run["small"]["__mcd_trace_id__"]!.GetValue<string>());
        AssertJsonEqual(operations["small"].Operation, run["small"]["__mcd_result__"]);
        Assert.Null(run.Recorded["small"].LocationBody);
        Assert.False((await Blob("t-az-small").ExistsAsync()).Value);

        AssertNoSecretOutsideTheLocations(run);
    }

    [AzuriteFact]
    public async Task A_result_larger_than_one_block_is_committed_as_blocks_and_read_back_whole()
    {
        const int Rows = 110_000;
        var program = Standard($"with recursive r(i) as (select 1 union all select i + 1 from r where i < {Rows}) select i, printf('%0100d', i) from r");
        program["trace_id"] = "t-az-blocks";
        program["response_size_limit_bytes"] = 1_000_000;

        var run = await ConnectorRun.RunAsync(
            output,
            new Dictionary<string, ConnectorOperation> { ["rows"] = new(ConnectorRun.Execute + "sqlite/many_rows", program, SqliteCredentials()) },
            Configure);

        LocationOf(run["rows"], "t-az-blocks");
        var properties = (await Blob("t-az-blocks").GetPropertiesAsync()).Value;
        var blocks = (await _admin!.GetBlockBlobClient($"{Prefix}/responses/t-az-blocks").GetBlockListAsync(BlockListTypes.All)).Value;
        output.WriteLine($"blob: {properties.ContentLength} bytes in {blocks.CommittedBlocks.Count()} blocks");
        Assert.True(properties.ContentLength > 2 * PartSize, $"{properties.ContentLength} bytes: not more than two blocks' worth");
        Assert.Equal((int)Math.Ceiling(properties.ContentLength / (double)PartSize), blocks.CommittedBlocks.Count());
        Assert.All(blocks.CommittedBlocks.SkipLast(1), b => Assert.Equal(PartSize, b.SizeLong));
        Assert.Empty(blocks.UncommittedBlocks);

        var fetched = run.Fetched("rows");
        Assert.Equal("t-az-blocks", fetched["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(Rows, fetched["__mcd_result__"]!["rowcount"]!.GetValue<int>());
        var expected = new JsonArray([.. Enumerable.Range(1, Rows).Select(i => (JsonNode)new JsonArray(i, i.ToString("D100", System.Globalization.CultureInfo.InvariantCulture)))]);
        AssertJsonEqual(expected, fetched["__mcd_result__"]!["all_results"]);
        AssertNoSecretOutsideTheLocations(run);
    }

    [AzuriteFact]
    public async Task A_SAS_past_its_expiry_is_refused_by_the_blob_service()
    {
        var operation = new JsonObject { ["trace_id"] = "t-az-expiring", ["response_type"] = "url", ["v"] = 42 };

        var run = await ConnectorRun.RunAsync(
            output,
            new Dictionary<string, ConnectorOperation> { ["expiring"] = new(Echo, operation) },
            settings =>
            {
                Configure(settings);
                settings.Environment["MCD_PRE_SIGNED_URL_RESPONSE_EXPIRATION_SECONDS"] = "5";
            });

        // Valid when published: the emulator fetched it before accepting the result.
        AssertJsonEqual(operation, run.Fetched("expiring"));
        var location = LocationOf(run["expiring"], "t-az-expiring");
        var expiry = DateTimeOffset.Parse(ServiceSasUrl.Parameters(location)["se"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(-30), TimeSpan.FromSeconds(6));

        // Nothing signals the wall clock passing the expiry (SAS times have whole seconds): ask, bounded.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        HttpStatusCode status;
        do
        {
            using var response = await client.GetAsync(location);
            status = response.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                break;
            }

            await Task.Delay(250);
        }
        while (DateTimeOffset.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.True(DateTimeOffset.UtcNow >= expiry, "refused before its expiry: the 403 is not about time");
        Assert.True((await Blob("t-az-expiring").ExistsAsync()).Value, "the object is still there: only its URL expired");
    }

    private void Configure(AgentSettings settings)
    {
        settings.Environment["MCD_STORAGE"] = "AZURE_BLOB";
        settings.Environment["MCD_STORAGE_BUCKET_NAME"] = _container;
        settings.Environment["MCD_STORAGE_PREFIX"] = Prefix;
        settings.Environment["MCD_STORAGE_ACCOUNT_NAME"] = AzuriteFactAttribute.Account!;
        settings.Environment["MCD_STORAGE_ENDPOINT_URL"] = AzuriteFactAttribute.Endpoint!;
        settings.Set("Results:Storage:AccountKey", AzuriteFactAttribute.Key!);
        settings.Set("Results:Storage:PartSize", PartSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The published location, checked: the blob under the prefix, a read-only SAS for it signed with the account key.</summary>
    private Uri LocationOf(JsonObject published, string traceId)
    {
        var location = new Uri(published["__mcd_result_location__"]!.GetValue<string>());
        output.WriteLine($"location: {location.GetLeftPart(UriPartial.Path)}");
        Assert.Equal($"{new Uri(AzuriteFactAttribute.Endpoint!).AbsolutePath}/{_container}/{Prefix}/responses/{traceId}", location.AbsolutePath);
        var sas = ServiceSasUrl.Parameters(location);
        Assert.Equal(("r", "b"), (sas["sp"], sas["sr"]));
        Assert.True(ServiceSasUrl.IsSignedWith(location, AzuriteFactAttribute.Account!, AzuriteFactAttribute.Key!), "the SAS is not the account key's");
        Assert.Equal(traceId, published["__mcd_trace_id__"]!.GetValue<string>());
        return location;
    }

    private BlobClient Blob(string traceId) => _admin!.GetBlobClient($"{Prefix}/responses/{traceId}");

    /// <summary>
    /// The account key nowhere; each SAS signature (as sent and decoded) only in its own
    /// <c>__mcd_result_location__</c> — not in another field, not in the agent's output, not in
    /// the data directory's files.
    /// </summary>
    private static void AssertNoSecretOutsideTheLocations(ConnectorRunResult run)
    {
        run.AssertNowhere(AzuriteFactAttribute.Key!);
        var signatures = run.Results.Values
            .Select(r => r["__mcd_result_location__"]?.GetValue<string>())
            .OfType<string>()
            .Select(l => ServiceSasUrl.Parameters(new Uri(l))["sig"])
            .SelectMany(s => new[] { s, Uri.EscapeDataString(s) })
            .Distinct()
            .ToList();
        Assert.NotEmpty(signatures);
        var withoutLocations = run with
        {
            Results = run.Results.ToDictionary(r => r.Key, r =>
            {
                var copy = r.Value.DeepClone().AsObject();
                copy.Remove("__mcd_result_location__");
                return copy;
            }),
        };
        foreach (var signature in signatures)
        {
            withoutLocations.AssertNowhere(signature);
        }
    }

    private static JsonObject ResultObject(ConnectorOperation operation, string traceId) =>
        new() { ["__mcd_result__"] = operation.Operation.DeepClone(), ["__mcd_trace_id__"] = traceId };

    private static void AssertJsonEqual(JsonNode? expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {Shorten(expected)}, got {Shorten(actual)}");

    private static string Shorten(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 400 ? text : $"{text[..400]}… ({text.Length} chars)";
    }

    private JsonObject SqliteCredentials()
    {
        // The query makes its own rows; the file only has to be a database the agent may open read-only.
        var path = Path.Combine(_files.Path, "empty.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "create table placeholder (x integer)";
            command.ExecuteNonQuery();
        }

        return new JsonObject { ["connect_args"] = new JsonObject { ["database"] = path } };
    }
}
