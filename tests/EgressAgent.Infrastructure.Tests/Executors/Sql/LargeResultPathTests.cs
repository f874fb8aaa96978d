using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Executors.Sql;
using EgressAgent.Infrastructure.Outbox;
using EgressAgent.Infrastructure.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>
/// A query result travels from the executor to the outbox file without being copied: the result
/// writes itself, and the stored file holds exactly the JSON it stands for.
/// </summary>
public sealed class LargeResultPathTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"egress-result-path-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void A_result_writes_the_same_json_as_its_node_form()
    {
        OperationResult[] results =
        [
            OperationResult.Success(new JsonObject { ["a"] = 1, ["b"] = new JsonArray("x", null) }, "t-1"),
            OperationResult.Success(null, "t-2"),
            OperationResult.Failure("bad \"thing\"", "Kind", "t-3"),
            OperationResult.Failure(null, "Kind", "t-4"),
        ];

        foreach (var result in results)
        {
            Assert.Equal(result.ToJson().ToJsonString(), Written(result));
        }
    }

    [Fact]
    public async Task A_result_with_buffered_rows_is_stored_as_exactly_its_json_and_loads_back_equal()
    {
        using var rows = new JsonRowBuffer();
        for (var i = 0; i < 50_000; i++)
        {
            var writer = rows.BeginRow();
            writer.WriteNumberValue(i);
            writer.WriteStringValue($"row {i} \u00e9\n");
            rows.EndRow();
        }

        var payload = new JsonObject { ["columns"] = new JsonArray(), ["rows"] = rows.ToJsonValue(), ["row_count"] = rows.Count, ["truncated"] = false };
        var result = OperationResult.Success(payload, "t-rows");
        var expected = Written(result);
        var options = new StorageOptions { DataDirectory = _directory };
        var outbox = new FileResultOutbox(Options.Create(options), TimeProvider.System, NullLogger<FileResultOutbox>.Instance);

        var entry = await outbox.AddAsync("op-rows", result, CancellationToken.None);
        var stored = await outbox.LoadAsync(entry, CancellationToken.None);

        Assert.Equal("op-rows", stored!.OperationId);
        Assert.Equal(expected, await stored.Body.ReadStringAsync());
        var file = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(_directory, "outbox")).Single());
        Assert.Equal($$"""{"operation_id":"op-rows","result":{{expected}}}""", file);
    }

    [Fact]
    public async Task A_store_without_its_own_writer_stores_the_result_through_its_json_form()
    {
        var store = new Moq.Mock<EgressAgent.Application.Results.IResultOutbox> { CallBase = true };
        var result = OperationResult.Success(new JsonObject { ["n"] = 1 }, "t");

        await store.Object.AddAsync("op-1", result, CancellationToken.None);

        store.Verify(s => s.AddAsync("op-1", Moq.It.Is<JsonObject>(j => j.ToJsonString() == result.ToJson().ToJsonString()), CancellationToken.None));
    }

    private static string Written(OperationResult result)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            result.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
