using EgressAgent.Application.Configuration;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Tests.Support;

internal static class TestOptions
{
    /// <summary>Contract defaults plus what the validator requires, then the test's changes.</summary>
    public static AgentOptions Valid(Action<AgentOptions>? configure = null)
    {
        var options = new AgentOptions();
        SetRequired(options);
        configure?.Invoke(options);
        return options;
    }

    public static IOptions<AgentOptions> Create(Action<AgentOptions>? configure = null) => Options.Create(Valid(configure));

    /// <summary>The settings without a default: base URL and a credential.</summary>
    public static void SetRequired(AgentOptions options)
    {
        options.Orchestrator.BaseUrl = "https://orchestrator.example/prefix/";
        options.Orchestrator.TokenId = "key-id";
        options.Orchestrator.TokenSecret = "key-secret";
    }
}
