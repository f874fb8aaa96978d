using EgressAgent.Application.Lifecycle;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Lifetime;

internal sealed class HostApplicationLifetimeAdapter(IHostApplicationLifetime lifetime) : IProcessLifetime
{
    public void StopApplication() => lifetime.StopApplication();
}
