using System.Runtime.InteropServices;

namespace EgressAgent.Host.Lifetime;

/// <summary>
/// Owns SIGTERM and SIGINT from the first line of <c>run</c> to its end. A signal that arrives
/// while the host is still being built (configuration, the data directory, the container) is kept
/// instead of meeting the runtime's default action (the process ends with 143, no E4); once the
/// host has started, <see cref="SignalLifetime"/> receives the kept signals and then each later one
/// as it comes. One registration per signal for the whole run, so a signal is counted exactly once
/// however it falls against the handover (docs/adr/0054).
/// </summary>
internal sealed class SignalLatch : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<PosixSignal> _kept = [];
    private readonly PosixSignalRegistration[] _registrations;
    private Action<PosixSignal>? _receiver;

    private SignalLatch()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        ];
    }

    /// <summary>Starts keeping the signals now.</summary>
    public static SignalLatch Listen() => new();

    /// <summary>Hands the kept signals to <paramref name="receiver"/> in the order they came, then every later one.</summary>
    public void Deliver(Action<PosixSignal> receiver)
    {
        lock (_gate)
        {
            _receiver = receiver;
            foreach (var signal in _kept)
            {
                receiver(signal);
            }

            _kept.Clear();
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Never the runtime's default: the shutdown sequence decides when the process exits.
        context.Cancel = true;
        lock (_gate)
        {
            if (_receiver is { } receiver)
            {
                receiver(context.Signal);
            }
            else
            {
                _kept.Add(context.Signal);
            }
        }
    }
}
