using EgressAgent.Application.Orchestrator;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Tests.Support;

internal static class TestOptions
{
    /// <summary>A section with the contract's defaults, then the test's changes.</summary>
    public static IOptions<T> Create<T>(Action<T>? configure = null)
        where T : class, new()
    {
        var options = new T();
        configure?.Invoke(options);
        return Options.Create(options);
    }

    /// <summary>The settings without a default: base URL and a credential.</summary>
    public static void SetRequired(OrchestratorOptions options)
    {
        options.BaseUrl = "https://orchestrator.example/prefix/";
        options.TokenId = "key-id";
        options.TokenSecret = "key-secret";
    }
}
