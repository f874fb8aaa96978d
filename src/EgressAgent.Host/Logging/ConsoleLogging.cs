using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EgressAgent.Host.Logging;

/// <summary>
/// The console logger, configured by the standard <c>Logging:Console</c> section: <c>FormatterName</c>
/// (<c>simple</c> by default, <c>json</c>, <c>systemd</c>), <c>FormatterOptions</c>,
/// <c>LogToStandardErrorThreshold</c>, <c>MaxQueueLength</c>, <c>QueueFullMode</c>, <c>LogLevel</c>.
/// Our defaults are registered before the configuration binders so configuration overrides them.
/// </summary>
internal static class ConsoleLogging
{
    public static ILoggingBuilder AddAgentConsoleFromConfiguration(this ILoggingBuilder logging)
    {
        var services = logging.Services;

        // Without a FormatterName the provider falls back to the obsolete ConsoleLoggerOptions
        // and replaces the formatter's options with them, losing SingleLine: name it.
        services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = ConsoleFormatterNames.Simple);
        services.Configure<SimpleConsoleFormatterOptions>(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
            o.IncludeScopes = false;
        });
        services.Configure<JsonConsoleFormatterOptions>(o => o.UseUtcTimestamp = true);

        logging.AddConsole();
        // Not AddConsoleFormatter<,>: its reflection binder is not native-safe, and AddConsole
        // already binds JsonConsoleFormatterOptions (the built-in json formatter's) from FormatterOptions.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, AgentJsonConsoleFormatter>());

        // "json" means ours. The provider keeps the first formatter registered under a name, so
        // rather than depend on registration order, the name is redirected after binding.
        services.PostConfigure<ConsoleLoggerOptions>(o =>
        {
            if (string.Equals(o.FormatterName, ConsoleFormatterNames.Json, StringComparison.OrdinalIgnoreCase))
            {
                o.FormatterName = AgentJsonConsoleFormatter.FormatterName;
            }
        });
        return logging;
    }
}
