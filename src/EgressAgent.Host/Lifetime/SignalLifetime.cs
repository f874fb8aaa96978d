using System.Runtime.InteropServices;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Lifecycle;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Lifetime;

/// <summary>
/// Replaces the console lifetime, which stops the host on the first signal and ignores the
/// second. Here the first SIGTERM/SIGINT starts a draining shutdown and a second one escalates
/// it (docs/protocol.md §7); the sequence itself asks the host to stop when it is done. The
/// signals come from a <see cref="SignalLatch"/>: <c>run</c>'s, listening since before the host
/// was built, whose kept signals reach the sequence once the host runs as if they had just come;
/// or, for a host built without one (<c>demo</c>), its own from the start on.
/// </summary>
internal sealed class SignalLifetime(IShutdownCoordinator shutdown, IHostApplicationLifetime host, SignalLatch? earlySignals = null)
    : IHostLifetime, IDisposable
{
    private SignalLatch? _ownSignals;
    private int _signals;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        var signals = earlySignals ?? (_ownSignals = SignalLatch.Listen());

        // After the start, not now: a sequence begun before the hosted services start would ask a
        // host that is still starting to stop, and the start would fail instead of the drain running.
        host.ApplicationStarted.Register(() => signals.Deliver(OnSignal));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _ownSignals?.Dispose();

    private void OnSignal(PosixSignal signal)
    {
        var name = signal.ToString();
        if (Interlocked.Increment(ref _signals) == 1)
        {
            shutdown.RequestShutdown(ShutdownTrigger.Signal, name);
        }
        else
        {
            shutdown.Escalate($"second signal ({name})");
        }
    }
}
