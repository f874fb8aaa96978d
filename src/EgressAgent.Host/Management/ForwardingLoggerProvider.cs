using Microsoft.Extensions.Logging;

namespace EgressAgent.Host.Management;

/// <summary>Hands the management application's loggers out of the agent's logger factory (its console, its format).</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory agentLogging) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => agentLogging.CreateLogger(categoryName);

    public void Dispose()
    {
        // The agent's host owns its logger factory.
    }
}
