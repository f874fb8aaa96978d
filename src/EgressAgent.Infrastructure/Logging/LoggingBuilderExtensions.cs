using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.Logging;

internal static class LoggingBuilderExtensions
{
    /// <summary>Keeps the most recent log records in memory for <c>/api/v1/agent/logs</c>.</summary>
    public static ILoggingBuilder AddAgentLogBuffer(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.Services.TryAddSingleton<LogRingBuffer>();
        logging.Services.TryAddSingleton(TimeProvider.System);
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, RingBufferLoggerProvider>());
        return logging;
    }
}
