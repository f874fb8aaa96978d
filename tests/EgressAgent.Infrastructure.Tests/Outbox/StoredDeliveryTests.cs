using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Outbox;
using EgressAgent.Infrastructure.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>
/// A result's delivery (offload, compression, size limit: docs/protocol.md §13) is stored with it, so
/// the process that publishes it after a crash delivers it the same way: in a segment record and in
/// a file of its own, read back from memory and from the disk, and records without one unchanged.
/// </summary>
public sealed class StoredDeliveryTests : IDisposable
{
    private static readonly ResultDelivery Delivery = new("t-\"ü\"") { SizeLimit = 1000, AsUrl = true, CompressFile = true, CompressThreshold = 50 };
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("egress-outbox-delivery-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Theory]
    [InlineData(10)]          // a record of a segment
    [InlineData(200_000)]     // a file of its own
    public async Task The_delivery_is_read_back_with_the_result_by_this_process_and_the_next(int size)
    {
        var result = OperationResult.Success(new JsonObject { ["v"] = new string('x', size) }, "t-\"ü\"") with { Delivery = Delivery };
        var plain = OperationResult.Success(new JsonObject { ["v"] = 1 }, "t-plain");
        OutboxEntry stored, storedPlain;
        using (var outbox = NewOutbox())
        {
            stored = await outbox.AddAsync("op-1", result, CancellationToken.None);
            storedPlain = await outbox.AddAsync("op-2", plain, CancellationToken.None);
            var now = await outbox.LoadAsync(stored, CancellationToken.None);
            Assert.Equal(Delivery, now!.Delivery);
        }

        using var next = NewOutbox();
        var entries = next.ListPending();
        var loaded = await next.LoadAsync(Assert.Single(entries, e => e.Key == stored.Key), CancellationToken.None);
        var loadedPlain = await next.LoadAsync(Assert.Single(entries, e => e.Key == storedPlain.Key), CancellationToken.None);

        Assert.Equal(Delivery, loaded!.Delivery);
        Assert.Equal(result.ToJson().ToJsonString(), await TextOf(loaded.Body)); // the body is the result alone
        Assert.Null(loadedPlain!.Delivery);
        Assert.Equal(plain.ToJson().ToJsonString(), await TextOf(loadedPlain.Body));
    }

    private FileResultOutbox NewOutbox() => new(
        Options.Create(new StorageOptions { DataDirectory = _dataDirectory }),
        new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero)),
        new RecordingLogger<FileResultOutbox>());

    private static async Task<string> TextOf(IResultBody body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy, CancellationToken.None);
        return Encoding.UTF8.GetString(copy.ToArray());
    }
}
