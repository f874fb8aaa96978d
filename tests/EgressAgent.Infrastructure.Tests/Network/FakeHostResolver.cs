using System.Net;
using System.Net.Sockets;
using EgressAgent.Infrastructure.Network;

namespace EgressAgent.Infrastructure.Tests.Network;

/// <summary>
/// Answers what the test says for each name — one answer per lookup in turn, the last repeated (a
/// DNS rebinding answers differently the second time) — and counts the lookups. An unknown name
/// fails as the system resolver does; <see cref="Hang"/> never answers and ignores cancellation.
/// </summary>
internal sealed class FakeHostResolver : IHostResolver
{
    private readonly Dictionary<string, Queue<IPAddress[]>> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _lookups = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public bool Hang { get; set; }

    /// <summary>Each call is the answer of one more lookup of <paramref name="host"/>.</summary>
    public FakeHostResolver Answer(string host, params string[] addresses)
    {
        lock (_gate)
        {
            if (!_answers.TryGetValue(host, out var queue))
            {
                _answers[host] = queue = new Queue<IPAddress[]>();
            }

            queue.Enqueue([.. addresses.Select(IPAddress.Parse)]);
        }

        return this;
    }

    public int LookupsOf(string host)
    {
        lock (_gate)
        {
            return _lookups.GetValueOrDefault(host);
        }
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _lookups[host] = _lookups.GetValueOrDefault(host) + 1;
            if (Hang)
            {
                return new TaskCompletionSource<IPAddress[]>().Task;
            }

            if (!_answers.TryGetValue(host, out var queue))
            {
                return Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
            }

            return Task.FromResult(queue.Count > 1 ? queue.Dequeue() : queue.Peek());
        }
    }
}
