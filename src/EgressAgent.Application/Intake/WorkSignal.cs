using EgressAgent.Application.Lifecycle;

namespace EgressAgent.Application.Intake;

internal sealed class WorkSignal : IWorkSignal
{
    public LevelTriggeredSignal WakeUp { get; } = new();

    public void Signal() => WakeUp.Set();
}
