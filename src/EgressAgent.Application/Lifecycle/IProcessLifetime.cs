namespace EgressAgent.Application.Lifecycle;

/// <summary>Asks the host to stop once the shutdown sequence is over.</summary>
public interface IProcessLifetime
{
    void StopApplication();
}
