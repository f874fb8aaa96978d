using EgressAgent.Application.Ports;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Lifetime;

internal sealed class HostApplicationLifetimeAdapter(IHostApplicationLifetime lifetime) : IProcessLifetime
{
    public void StopApplication() => lifetime.StopApplication();
}
