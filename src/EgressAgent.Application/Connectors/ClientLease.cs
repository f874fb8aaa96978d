namespace EgressAgent.Application.Connectors;

/// <summary>
/// One operation's use of a cached client (<see cref="ClientCache.LeaseAsync"/>). Return it by
/// disposing; call <see cref="Fail"/> first when anything went wrong, so the client is evicted and
/// closed (at once, or by the last operation still using it).
/// </summary>
internal sealed class ClientLease(ClientCache cache, IDataSourceClient client, object handle) : IAsyncDisposable
{
    private bool _failed;
    private int _returned;

    public IDataSourceClient Client { get; } = client;

    public void Fail() => _failed = true;

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _returned, 1) == 0 ? cache.ReturnAsync(handle, _failed) : ValueTask.CompletedTask;
}
