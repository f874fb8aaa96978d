using EgressAgent.Tests.Shared;
namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// Which exchanges get a fault: those whose request matches, at most <c>times</c> of them (then
/// the rule lets requests pass to later rules or through), until it is removed. Counts what it
/// matched so a test can wait for it.
/// </summary>
internal sealed class FaultRule
{
    private readonly Func<ProxiedRequest, bool> _match;
    private readonly Pulse _changed;
    private int _remaining;
    private int _matched;
    private int _removed;

    internal FaultRule(string name, Func<ProxiedRequest, bool> match, ProxyFault fault, int? times, Pulse changed)
    {
        Name = name;
        _match = match;
        Fault = fault;
        _remaining = times ?? -1;
        _changed = changed;
    }

    public string Name { get; }

    public ProxyFault Fault { get; }

    /// <summary>Requests this rule has applied its fault to.</summary>
    public int Matched => Volatile.Read(ref _matched);

    /// <summary>From now on the rule matches nothing; exchanges already faulted stay so.</summary>
    public void Remove()
    {
        Volatile.Write(ref _removed, 1);
        _changed.Notify();
    }

    public Task WaitForMatchesAsync(int count, TimeSpan timeout) =>
        _changed.WaitUntilAsync(() => Matched >= count, timeout, () => $"{count} request(s) matching rule '{Name}' ({Matched} so far)");

    internal bool TryApply(ProxiedRequest request)
    {
        if (Volatile.Read(ref _removed) == 1 || !_match(request))
        {
            return false;
        }

        while (true)
        {
            var remaining = Volatile.Read(ref _remaining);
            if (remaining == 0)
            {
                return false;
            }

            if (remaining < 0 || Interlocked.CompareExchange(ref _remaining, remaining - 1, remaining) == remaining)
            {
                Interlocked.Increment(ref _matched);
                return true;
            }
        }
    }
}
