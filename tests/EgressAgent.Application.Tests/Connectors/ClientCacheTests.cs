using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace EgressAgent.Application.Tests.Connectors;

public sealed class ClientCacheTests
{
    private readonly SteppedClock _time = new();
    private readonly FakeConnectionType _type = new("fake");

    private ClientCache Cache(TimeSpan? expiration = null) =>
        new(TestOptions.Create<ConnectorsOptions>(o => o.ClientCacheExpiration = expiration ?? TimeSpan.FromSeconds(60)), _time, NullLogger<ClientCache>.Instance);

    private static ConnectionRequest Request(string password = "pw") =>
        new("fake", new JsonObject { ["connect_args"] = new JsonObject { ["host"] = "db", ["password"] = password } }, ReadOnly: true);

    [Fact]
    public async Task Equal_credentials_share_one_client_whatever_their_key_order()
    {
        await using var cache = Cache();
        var reordered = new ConnectionRequest("fake", new JsonObject { ["connect_args"] = new JsonObject { ["password"] = "pw", ["host"] = "db" } }, true);

        await using (var first = await cache.LeaseAsync(_type, Request(), skipCache: false))
        await using (var second = await cache.LeaseAsync(_type, reordered, skipCache: false))
        {
            Assert.Same(first.Client, second.Client);
        }

        Assert.Single(_type.Clients);
        Assert.Equal(0, _type.Clients[0].Disposals);
    }

    [Fact]
    public async Task Other_credentials_or_another_type_name_get_another_client()
    {
        await using var cache = Cache();

        await using (await cache.LeaseAsync(_type, Request("a"), false))
        await using (await cache.LeaseAsync(_type, Request("b"), false))
        await using (await cache.LeaseAsync(_type, Request("a") with { TypeName = "alias" }, false))
        {
            Assert.Equal(3, _type.Clients.Count);
        }
    }

    [Fact]
    public async Task An_expired_client_is_replaced_and_closed_on_the_monotonic_clock()
    {
        await using var cache = Cache(TimeSpan.FromSeconds(60));
        await using (await cache.LeaseAsync(_type, Request(), false))
        {
        }

        _time.Advance(TimeSpan.FromSeconds(59));
        await using (await cache.LeaseAsync(_type, Request(), false))
        {
        }

        Assert.Single(_type.Clients);
        _time.Advance(TimeSpan.FromSeconds(1));
        _time.WallStep = TimeSpan.FromDays(-3); // a wall-clock step changes nothing
        await using (await cache.LeaseAsync(_type, Request(), false))
        {
        }

        Assert.Equal(2, _type.Clients.Count);
        Assert.Equal(1, _type.Clients[0].Disposals);
        Assert.Equal(0, _type.Clients[1].Disposals);
    }

    [Fact]
    public async Task A_zero_expiration_gives_every_operation_its_own_client_closed_afterwards()
    {
        await using var cache = Cache(TimeSpan.Zero);

        await using (await cache.LeaseAsync(_type, Request(), false))
        {
        }

        await using (await cache.LeaseAsync(_type, Request(), false))
        {
        }

        Assert.Equal(2, _type.Clients.Count);
        Assert.All(_type.Clients, c => Assert.Equal(1, c.Disposals));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Skip_cache_uses_a_fresh_client_closed_afterwards_and_leaves_the_cached_one()
    {
        await using var cache = Cache();
        await using (await cache.LeaseAsync(_type, Request(), false))
        {
        }

        await using (var fresh = await cache.LeaseAsync(_type, Request(), skipCache: true))
        {
            Assert.NotSame(_type.Clients[0], fresh.Client);
        }

        Assert.Equal(0, _type.Clients[0].Disposals);
        Assert.Equal(1, _type.Clients[1].Disposals);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task A_failed_lease_evicts_its_client_and_the_last_lease_closes_it()
    {
        await using var cache = Cache();
        var other = await cache.LeaseAsync(_type, Request(), false);
        await using (var failing = await cache.LeaseAsync(_type, Request(), false))
        {
            failing.Fail();
        }

        Assert.Equal(0, _type.Clients[0].Disposals); // still in use by the other operation
        Assert.Equal(0, cache.Count);
        await using (var next = await cache.LeaseAsync(_type, Request(), false))
        {
            Assert.NotSame(other.Client, next.Client);
        }

        await other.DisposeAsync();
        await other.DisposeAsync(); // returning twice counts once
        Assert.Equal(1, _type.Clients[0].Disposals);
        Assert.Equal(0, _type.Clients[1].Disposals);
    }

    [Fact]
    public async Task A_client_that_expires_while_leased_is_closed_by_its_last_lease()
    {
        await using var cache = Cache(TimeSpan.FromSeconds(10));
        var leased = await cache.LeaseAsync(_type, Request(), false);
        _time.Advance(TimeSpan.FromSeconds(11));

        await using (await cache.LeaseAsync(_type, Request(), false))
        {
        }

        Assert.Equal(0, _type.Clients[0].Disposals);
        await leased.DisposeAsync();
        Assert.Equal(1, _type.Clients[0].Disposals);
    }

    [Fact]
    public async Task Disposing_the_cache_closes_every_client_once()
    {
        var cache = Cache();
        await using (await cache.LeaseAsync(_type, Request("a"), false))
        {
        }

        var leased = await cache.LeaseAsync(_type, Request("b"), false);

        await cache.DisposeAsync();
        await leased.DisposeAsync();
        cache.Dispose();

        Assert.All(_type.Clients, c => Assert.Equal(1, c.Disposals));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await cache.LeaseAsync(_type, Request(), false));
    }

    [Fact]
    public async Task Concurrent_leases_share_one_client()
    {
        await using var cache = Cache();

        var leases = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await cache.LeaseAsync(_type, Request(), false))));
        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }

        Assert.Single(_type.Clients);
        Assert.Equal(0, _type.Clients[0].Disposals);
    }
}
