using System.Runtime.InteropServices;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Lifecycle;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Lifetime;

/// <summary>
/// Replaces the console lifetime, which stops the host on the first signal and ignores the
/// second. Here the first SIGTERM/SIGINT starts a draining shutdown and a second one escalates
/// it (docs/protocol.md §7); the sequence itself asks the host to stop when it is done.
/// </summary>
internal sealed class SignalLifetime(IShutdownCoordinator shutdown) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signals;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the runtime from terminating the process: the sequence decides when to exit.
        context.Cancel = true;
        var name = context.Signal.ToString();
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
