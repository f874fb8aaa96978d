using EgressAgent.Infrastructure.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Host.Composition;

/// <summary>Builds the agent's host from validated configuration.</summary>
internal static class AgentHost
{
    public static HostApplicationBuilder CreateBuilder(IConfiguration configuration, LogLevel? minimumLevel = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        builder.Logging.AddAgentConsole();
        builder.Logging.AddAgentLogBuffer();
        if (minimumLevel is { } level)
        {
            builder.Logging.SetMinimumLevel(level);
            builder.Logging.AddFilter((_, _, l) => l >= level);
        }

        return builder.AddAgent();
    }
}
