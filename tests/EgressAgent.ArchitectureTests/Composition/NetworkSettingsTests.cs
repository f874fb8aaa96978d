using EgressAgent.Application.Execution;
using EgressAgent.Host.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EgressAgent.ArchitectureTests.Composition;

/// <summary>
/// <c>EgressAgent:Network:BlockedCidrs</c> as operators write it (docs/adr/0047): one string, or a list
/// (a JSON array, <c>__0</c>/<c>__1</c> variables) that the binder alone would drop without a word.
/// </summary>
public sealed class NetworkSettingsTests
{
    [Fact]
    public void A_list_of_blocked_ranges_is_read_after_the_one_string_form()
    {
        var options = Bind(new()
        {
            ["EgressAgent:Network:BlockedCidrs"] = "192.168.0.0/16",
            ["EgressAgent:Network:BlockedCidrs:0"] = "10.0.0.0/8",
            ["EgressAgent:Network:BlockedCidrs:1"] = "fd00::/8",
        });

        Assert.Equal("192.168.0.0/16, 10.0.0.0/8, fd00::/8", options.BlockedCidrs);
    }

    [Fact]
    public void Every_bad_entry_of_a_list_is_a_configuration_problem()
    {
        var problems = AgentConfiguration.Validate(Configuration(new()
        {
            ["EgressAgent:Network:BlockedCidrs:0"] = "10.0.0.0/8",
            ["EgressAgent:Network:BlockedCidrs:1"] = "ten-dot",
            ["EgressAgent:Network:BlockedCidrs:2"] = "300.0.0.0/8",
            ["EgressAgent:Network:AllowLoopback"] = "maybe",
        }));

        Assert.Contains("EgressAgent:Network:BlockedCidrs: 'ten-dot' is not a CIDR range such as 10.0.0.0/8 or fd00::/8, nor an address.", problems);
        Assert.Contains("EgressAgent:Network:BlockedCidrs: '300.0.0.0/8' is not a CIDR range such as 10.0.0.0/8 or fd00::/8, nor an address.", problems);
        Assert.Contains(problems, p => p.Contains("EgressAgent:Network:AllowLoopback has an unreadable value 'maybe'", StringComparison.Ordinal));
        Assert.Equal(3, problems.Count);
    }

    private static NetworkOptions Bind(Dictionary<string, string?> values)
    {
        using var services = new ServiceCollection().AddSingleton(Configuration(values)).AddAgentOptions().BuildServiceProvider();
        return services.GetRequiredService<IOptions<NetworkOptions>>().Value;
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values)
    {
        values["EgressAgent:Orchestrator:BaseUrl"] = "http://127.0.0.1:9/";
        values["EgressAgent:Orchestrator:TokenId"] = "arch-test-id";
        values["EgressAgent:Orchestrator:TokenSecret"] = "arch-test-secret";
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
