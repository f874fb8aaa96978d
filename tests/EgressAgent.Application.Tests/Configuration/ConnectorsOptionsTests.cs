using EgressAgent.Application.Connectors;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Application.Tests.Configuration;

public sealed class ConnectorsOptionsTests
{
    [Fact]
    public void Defaults_are_the_contracts()
    {
        var options = new ConnectorsOptions();

        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(5)), (options.ClientCacheExpiration, options.SecretCacheExpiration));
        Assert.True(options.IsReadOnly("postgres"));
    }

    [Fact]
    public void A_zero_client_cache_expiration_turns_the_cache_off_and_is_valid()
    {
        Assert.Empty(AgentSections.Validate(o => o.Connectors.ClientCacheExpiration = TimeSpan.Zero));
    }

    [Fact]
    public void Out_of_range_durations_are_reported_together()
    {
        var result = AgentSections.Validate(o =>
        {
            o.Connectors.ClientCacheExpiration = TimeSpan.FromSeconds(-1);
            o.Connectors.SecretCacheExpiration = TimeSpan.Zero;
        });

        Assert.Contains("EgressAgent:Connectors:ClientCacheExpiration must be a duration from 00:00:00 (no cache) to 30 days.", result);
        Assert.Contains("EgressAgent:Connectors:SecretCacheExpiration must be a positive duration of at most 30 days.", result);
    }

    [Fact]
    public void ReadOnly_is_per_type_name_an_alias_first_then_the_types_own_name()
    {
        var options = new ConnectorsOptions();
        options.SetReadOnly("MySQL", false);

        Assert.False(options.IsReadOnly("mysql"));
        Assert.False(options.IsReadOnly("mariadb", "mysql"));
        options.SetReadOnly("mariadb", true);
        Assert.True(options.IsReadOnly("mariadb", "mysql"));
        Assert.True(options.IsReadOnly("postgres"));
    }
}
