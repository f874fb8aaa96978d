using EgressAgent.Host.Composition;
using EgressAgent.Host.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EgressAgent.EndToEnd.Tests.Logging;

/// <summary>The agent's host honours the standard <c>Logging:Console</c> section; simple stays the default.</summary>
public sealed class ConsoleLoggingTests : IDisposable
{
    private readonly Harness.TempDirectory _data = new();

    [Theory]
    [InlineData("json")]
    [InlineData("JSON")]
    public void Json_selects_the_agents_formatter_with_its_configured_options(string name)
    {
        using var host = Build(new()
        {
            ["Logging:Console:FormatterName"] = name,
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        });

        Assert.Equal(AgentJsonConsoleFormatter.FormatterName, host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        Assert.Single(host.Services.GetServices<ConsoleFormatter>(), f => f.Name == AgentJsonConsoleFormatter.FormatterName && f is AgentJsonConsoleFormatter);
        var options = host.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue;
        Assert.True(options.IncludeScopes);
        Assert.True(options.UseUtcTimestamp);
    }

    [Fact]
    public void Without_configuration_the_simple_formatter_writes_single_utc_lines()
    {
        using var host = Build([]);

        Assert.Equal(ConsoleFormatterNames.Simple, host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        var options = host.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;
        Assert.True(options.SingleLine);
        Assert.True(options.UseUtcTimestamp);
        Assert.Equal("HH:mm:ss.fff ", options.TimestampFormat);
    }

    [Fact]
    public void Standard_console_options_from_configuration_override_the_agents_defaults()
    {
        using var host = Build(new()
        {
            ["Logging:Console:FormatterName"] = "systemd",
            ["Logging:Console:LogToStandardErrorThreshold"] = "Warning",
            ["Logging:Console:FormatterOptions:SingleLine"] = "false",
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "O ",
        });

        var console = host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        Assert.Equal(ConsoleFormatterNames.Systemd, console.FormatterName);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, console.LogToStandardErrorThreshold);
        var simple = host.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;
        Assert.False(simple.SingleLine);
        Assert.Equal("O ", simple.TimestampFormat);
    }

    public void Dispose() => _data.Dispose();

    private IHost Build(Dictionary<string, string?> logging)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["EgressAgent:Orchestrator:BaseUrl"] = "http://127.0.0.1:9/",
                ["EgressAgent:Orchestrator:TokenId"] = "logging-test-id",
                ["EgressAgent:Orchestrator:TokenSecret"] = "logging-test-secret",
                ["EgressAgent:Storage:DataDirectory"] = _data.Path,
            })
            .AddInMemoryCollection(logging)
            .Build();
        Assert.Empty(AgentConfiguration.Validate(configuration));
        return AgentHost.CreateBuilder(configuration).Build();
    }
}
