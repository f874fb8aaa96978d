using EgressAgent.Domain.Faults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Connectors;

/// <summary>
/// One client per connection type name and SHA-256 of the resolved credentials (docs/protocol.md
/// §12.4), reused for <c>Connectors:ClientCacheExpiration</c> counted on the monotonic clock from
/// its creation (<c>00:00:00</c>: no reuse). Concurrent operations share a client through leases:
/// one that is evicted (an error) or expires while leased is disposed when its last lease returns.
/// Expired idle clients are disposed at the next lease of any client, and all of them when the
/// container is disposed.
/// </summary>
internal sealed partial class ClientCache : IAsyncDisposable, IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeSpan _expiration;
    private readonly TimeProvider _time;
    private readonly ILogger<ClientCache> _logger;
    private bool _disposed;

    public ClientCache(IOptions<ConnectorsOptions> options, TimeProvider time, ILogger<ClientCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _expiration = options.Value.ClientCacheExpiration;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many clients are cached now (leased or idle); for tests and diagnostics.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// A lease on the cached client for <paramref name="type"/> and <paramref name="request"/>, or on a
    /// fresh one that is closed when the lease returns (<paramref name="skipCache"/>, or the cache off).
    /// <see cref="IConnectionType.CreateClient"/>'s exceptions propagate.
    /// </summary>
    public async ValueTask<ClientLease> LeaseAsync(IConnectionType type, ConnectionRequest request, bool skipCache)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(request);
        List<Entry> retired = [];
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var now = _time.GetTimestamp();
                foreach (var expired in _entries.Values.Where(e => _time.GetElapsedTime(e.CreatedAt, now) >= _expiration).ToList())
                {
                    Retire(expired, retired);
                }

                Entry entry;
                if (skipCache || _expiration <= TimeSpan.Zero)
                {
                    entry = new Entry(null, type.CreateClient(request), now) { Retired = true };
                }
                else
                {
                    var key = request.TypeName + "/" + CanonicalJson.Sha256(request.Credentials);
                    if (!_entries.TryGetValue(key, out var cached))
                    {
                        cached = new Entry(key, type.CreateClient(request), now);
                        _entries[key] = cached;
                        LogClientCreated(_logger, request.TypeName);
                    }

                    entry = cached;
                }

                entry.Leases++;
                return new ClientLease(this, entry.Client, entry);
            }
        }
        finally
        {
            await DisposeAllAsync(retired);
        }
    }

    /// <summary>Ends a lease; a failed one evicts its client. Disposes the client when it is retired and no longer leased.</summary>
    internal async ValueTask ReturnAsync(object handle, bool failed)
    {
        var entry = (Entry)handle;
        List<Entry> retired = [];
        lock (_gate)
        {
            entry.Leases--;
            if (failed)
            {
                Retire(entry, retired);
            }
            else if (entry.Retired && entry.Leases == 0 && !entry.Disposed)
            {
                entry.Disposed = true;
                retired.Add(entry);
            }
        }

        await DisposeAllAsync(retired);
    }

    public async ValueTask DisposeAsync()
    {
        List<Entry> all;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            all = [.. _entries.Values.Where(e => !e.Disposed)];
            foreach (var entry in all)
            {
                entry.Retired = true;
                entry.Disposed = true;
            }

            _entries.Clear();
        }

        await DisposeAllAsync(all);
    }

    /// <summary>The container's synchronous disposal (a host disposed with <c>Dispose</c>) closes the clients too.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Out of the cache; disposed now when idle, else by its last lease.</summary>
    private void Retire(Entry entry, List<Entry> retired)
    {
        if (entry.Key is not null && _entries.TryGetValue(entry.Key, out var current) && ReferenceEquals(current, entry))
        {
            _entries.Remove(entry.Key);
        }

        entry.Retired = true;
        if (entry.Leases == 0 && !entry.Disposed)
        {
            entry.Disposed = true;
            retired.Add(entry);
        }
    }

    private async ValueTask DisposeAllAsync(List<Entry> entries)
    {
        foreach (var entry in entries)
        {
            try
            {
                await entry.Client.DisposeAsync();
            }
            catch (Exception ex) when (ex.IsRecoverable())
            {
                LogCloseFailed(_logger, ex.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Created a {ConnectionType} client")]
    private static partial void LogClientCreated(ILogger logger, string connectionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing a data-source client failed ({ErrorType})")]
    private static partial void LogCloseFailed(ILogger logger, string errorType);

    /// <summary>A client with its lease count; <see cref="Key"/> null for one never cached.</summary>
    private sealed class Entry(string? key, IDataSourceClient client, long createdAt)
    {
        public string? Key { get; } = key;
        public IDataSourceClient Client { get; } = client;
        public long CreatedAt { get; } = createdAt;
        public int Leases { get; set; }
        public bool Retired { get; set; }
        public bool Disposed { get; set; }
    }
}
