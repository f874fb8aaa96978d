namespace EgressAgent.Application.Intake;

/// <summary>Wakes the poller: work is available, or capacity has freed.</summary>
public interface IWorkSignal
{
    void Signal();
}
