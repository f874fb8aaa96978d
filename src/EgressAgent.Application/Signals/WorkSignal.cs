namespace EgressAgent.Application.Signals;

internal sealed class WorkSignal : IWorkSignal
{
    public LevelTriggeredSignal WakeUp { get; } = new();

    public void Signal() => WakeUp.Set();
}
