using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Executors.Health;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Executors.Health;

/// <summary>Health's <c>parameters</c>: every setting as <c>Section:Key</c>, secrets left out.</summary>
public sealed class NonSecretSettingsTests
{
    private static AgentSections Options()
    {
        var options = new AgentSections();
        options.Orchestrator.BaseUrl = "https://orchestrator.example/prefix";
        options.Orchestrator.TokenId = "key-id-1";
        options.Orchestrator.TokenSecret = "the-secret";
        options.Orchestrator.TokenFile = "/run/secrets/token.json";
        options.Operations.Workers = 3;
        options.Connections["warehouse"] = new ConnectionOptions { Provider = "postgres", ConnectionString = "Host=db;Password=pw" };
        return options;
    }

    [Fact]
    public void Settings_are_flat_section_keys_with_json_values()
    {
        var settings = NonSecretSettings.Of(Sections(Options()));

        Assert.Equal("https://orchestrator.example/prefix", settings["Orchestrator:BaseUrl"]!.GetValue<string>());
        Assert.Equal("key-id-1", settings["Orchestrator:TokenId"]!.GetValue<string>());
        Assert.Equal(3, settings["Operations:Workers"]!.GetValue<int>());
        Assert.True(settings["Events:Enabled"]!.GetValue<bool>());
        Assert.Equal("00:00:30", settings["Heartbeat:Interval"]!.GetValue<string>());
        Assert.Equal("postgres", settings["Connections:warehouse:Provider"]!.GetValue<string>());
    }

    [Fact]
    public void Secret_settings_are_left_out_by_key_and_their_values_appear_nowhere()
    {
        var settings = NonSecretSettings.Of(Sections(Options()));

        Assert.False(settings.ContainsKey("Orchestrator:TokenSecret"));
        Assert.False(settings.ContainsKey("Orchestrator:TokenFile"));
        Assert.False(settings.ContainsKey("Connections:warehouse:ConnectionString"));
        var text = settings.ToJsonString();
        Assert.DoesNotContain("the-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("token.json", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_url_setting_loses_its_user_info_and_query()
    {
        var options = Options();
        options.Orchestrator.BaseUrl = "https://agent:hunter2@orchestrator.example/prefix?sig=abc";

        var settings = NonSecretSettings.Of(Sections(options));

        Assert.Equal("https://orchestrator.example/prefix", settings["Orchestrator:BaseUrl"]!.GetValue<string>());
    }

    [Fact]
    public void Unset_settings_are_left_out()
    {
        var settings = NonSecretSettings.Of(Sections(new AgentSections()));

        Assert.False(settings.ContainsKey("Orchestrator:BaseUrl"));
        Assert.True(settings.ContainsKey("Storage:DataDirectory"));
    }

    [Fact]
    public void A_nested_section_keeps_its_path_under_its_parent()
    {
        var settings = NonSecretSettings.Of(Sections(Options()));

        Assert.Equal("00:00:10", settings["Orchestrator:Timeouts:Ping"]!.GetValue<string>());
    }

    private static IReadOnlyList<(string SectionName, object Options)> Sections(AgentSections sections) => sections.HealthSettings().Sections;
}
