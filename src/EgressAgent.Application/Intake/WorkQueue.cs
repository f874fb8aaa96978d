using System.Threading.Channels;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Capacity;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Intake;

/// <summary>
/// Operations waiting for a worker, and the in-flight slots they hold. The channel can stay
/// unbounded because every item entered holding a slot of the <see cref="InFlightCounter"/>.
/// </summary>
internal sealed class WorkQueue(InFlightCounter inFlight)
{
    private readonly Channel<OperationEnvelope> _channel = Channel.CreateUnbounded<OperationEnvelope>();
    private readonly LevelTriggeredSignal _released = new();

    public ChannelReader<OperationEnvelope> Reader => _channel.Reader;

    public InFlightCounter InFlight => inFlight;

    /// <summary>Enqueues work that already holds a slot.</summary>
    public void Enqueue(OperationEnvelope envelope) => _channel.Writer.TryWrite(envelope);

    /// <summary>Frees a slot (work finished, or a fetch found nothing). True when it ended saturation.</summary>
    public bool ReleaseSlot()
    {
        var leftSaturation = inFlight.Release();
        _released.Set();
        return leftSaturation;
    }

    /// <summary>Completes when nothing is queued, running or being fetched.</summary>
    public async Task WhenEmptyAsync(CancellationToken cancellationToken)
    {
        while (inFlight.InFlight > 0)
        {
            await _released.WaitAsync(cancellationToken);
        }
    }
}
