using EgressAgent.Application.Configuration;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Application.Tests.Configuration;

/// <summary>Every section's validator, run together as the agent runs them at start (docs/adr/0028).</summary>
public sealed class SectionValidatorsTests
{
    private const string Secret = "s3cr3t-TOKEN-value-0042";

    [Fact]
    public void Defaults_with_base_url_and_token_pair_are_valid()
    {
        var result = AgentSections.Validate();

        Assert.True(result.Count == 0, string.Join(Environment.NewLine, result));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Missing_BaseUrl_is_reported(string? baseUrl)
    {
        var result = AgentSections.Validate((o => o.Orchestrator.BaseUrl = baseUrl));

        Assert.Contains(result, e => e == "EgressAgent:Orchestrator:BaseUrl is required.");
    }

    [Theory]
    [InlineData("ftp://orchestrator.example")]
    [InlineData("orchestrator.example/api")]
    public void A_BaseUrl_that_is_not_absolute_http_is_reported(string baseUrl)
    {
        var result = AgentSections.Validate((o => o.Orchestrator.BaseUrl = baseUrl));

        Assert.Contains(result, e => e.Contains("BaseUrl must be an absolute http or https URL", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void Workers_outside_one_to_256_are_reported(int workers)
    {
        var result = AgentSections.Validate((o => o.Operations.Workers = workers));

        var error = Assert.Single(result);
        Assert.Contains("EgressAgent:Operations:Workers must be between 1 and 256", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PollInterval_above_half_the_ActivityTimeout_is_reported()
    {
        var result = AgentSections.Validate((o =>
        {
            o.Operations.ActivityTimeout = TimeSpan.FromSeconds(120);
            o.Operations.PollInterval = TimeSpan.FromSeconds(61);
        }));

        var error = Assert.Single(result);
        Assert.Contains("EgressAgent:Operations:PollInterval", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PollInterval_of_exactly_half_the_ActivityTimeout_is_valid()
    {
        var result = AgentSections.Validate((o =>
        {
            o.Operations.ActivityTimeout = TimeSpan.FromSeconds(120);
            o.Operations.PollInterval = TimeSpan.FromSeconds(60);
        }));

        Assert.Empty(result);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(90)]
    public void Heartbeat_interval_at_or_above_half_the_ActivityTimeout_is_reported(int seconds)
    {
        var result = AgentSections.Validate((o =>
        {
            o.Operations.ActivityTimeout = TimeSpan.FromSeconds(120);
            o.Heartbeat.Interval = TimeSpan.FromSeconds(seconds);
        }));

        var error = Assert.Single(result);
        Assert.Contains("EgressAgent:Heartbeat:Interval", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_problems_are_all_listed_at_once()
    {
        var result = AgentSections.Validate((o =>
        {
            o.Orchestrator.BaseUrl = null;
            o.Operations.Workers = 0;
            o.Operations.PollInterval = TimeSpan.FromMinutes(2);
            o.Heartbeat.Interval = TimeSpan.FromMinutes(1);
        }));

        var messages = result;
        Assert.Equal(4, messages.Count);
        Assert.Contains(messages, m => m.Contains("Orchestrator:BaseUrl", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Operations:Workers", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Operations:PollInterval", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Heartbeat:Interval", StringComparison.Ordinal));
    }

    [Fact]
    public void A_token_secret_without_its_id_is_reported()
    {
        var result = AgentSections.Validate((o => o.Orchestrator.TokenId = null));

        var error = Assert.Single(result);
        Assert.Contains("TokenId and TokenSecret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void No_message_contains_the_token_secret()
    {
        var result = AgentSections.Validate((o =>
        {
            o.Orchestrator.TokenSecret = Secret;
            o.Orchestrator.TokenId = null;
            o.Orchestrator.BaseUrl = "not a url " + Secret;
            o.Operations.Workers = -1;
            o.Operations.PollInterval = TimeSpan.Zero;
            o.Heartbeat.Interval = TimeSpan.FromHours(1);
            o.Connections["main"] = new ConnectionOptions { Provider = "oracle", ConnectionString = Secret };
        }));

        Assert.True(result.Count >= 5, $"expected many errors, got {result.Count}");
        Assert.All(result, e => Assert.DoesNotContain(Secret, e, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("FetchOperation", 0)]
    [InlineData("PublishResult", -1)]
    [InlineData("Heartbeat", 0)]
    [InlineData("NotifyShutdown", 0)]
    [InlineData("DownloadOperation", 0)]
    [InlineData("Ping", 0)]
    public void An_endpoint_timeout_that_is_not_positive_is_reported_by_its_key(string endpoint, int seconds)
    {
        var result = AgentSections.Validate((o =>
        {
            var timeouts = o.Timeouts;
            var value = TimeSpan.FromSeconds(seconds);
            _ = endpoint switch
            {
                "FetchOperation" => timeouts.FetchOperation = value,
                "PublishResult" => timeouts.PublishResult = value,
                "Heartbeat" => timeouts.Heartbeat = value,
                "NotifyShutdown" => timeouts.NotifyShutdown = value,
                "DownloadOperation" => timeouts.DownloadOperation = value,
                _ => timeouts.Ping = value,
            };
        }));

        var error = Assert.Single(result);
        Assert.Equal($"EgressAgent:Orchestrator:Timeouts:{endpoint} must be a positive duration of at most 30 days.", error);
    }

    [Fact]
    public void The_endpoint_timeouts_default_to_the_contracts()
    {
        var timeouts = new EndpointTimeoutOptions();

        Assert.Equal(
            new[] { 30, 60, 10, 15, 60, 10 }.Select(s => TimeSpan.FromSeconds(s)),
            new[] { timeouts.FetchOperation, timeouts.PublishResult, timeouts.Heartbeat, timeouts.NotifyShutdown, timeouts.DownloadOperation, timeouts.Ping });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://localhost:9000/")]
    [InlineData("http://[::]:8080; http://*:8081;http://+:8082")]
    public void Management_urls_that_can_be_listened_on_are_valid(string? urls)
    {
        var result = AgentSections.Validate((o => o.Management.Urls = urls));

        Assert.True(result.Count == 0, string.Join(Environment.NewLine, result));
    }

    [Theory]
    [InlineData("https://0.0.0.0:8443", "not an http:// address")]
    [InlineData("0.0.0.0:8080", "not an http:// address")]
    [InlineData("http://probes.example.com:8080", "names the host 'probes.example.com'")]
    [InlineData("http://0.0.0.0:8080/health", "not a listening address")]
    [InlineData("http://0.0.0.0:70000", "not a listening address")]
    [InlineData("http://0.0.0.0:port", "not a listening address")]
    public void A_management_url_that_cannot_be_listened_on_is_reported_by_key_and_value(string urls, string problem)
    {
        var result = AgentSections.Validate((o => o.Management.Urls = "http://127.0.0.1:8080;" + urls));

        var error = Assert.Single(result);
        Assert.StartsWith($"EgressAgent:Management:Urls: '{urls}'", error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_heartbeat_rule_is_checked_against_the_activity_timeout_by_the_operations_validator()
    {
        var result = AgentSections.Validate(o =>
        {
            o.Operations.ActivityTimeout = TimeSpan.FromSeconds(40);
            o.Operations.PollInterval = TimeSpan.FromSeconds(10);
            o.Heartbeat.Interval = TimeSpan.FromSeconds(20);
        });

        var error = Assert.Single(result);
        Assert.Equal("EgressAgent:Heartbeat:Interval (00:00:20) must be below half of EgressAgent:Operations:ActivityTimeout (00:00:40).", error);
    }

    [Fact]
    public void An_invalid_heartbeat_interval_is_reported_once_not_again_against_the_activity_timeout()
    {
        var result = AgentSections.Validate(o => o.Heartbeat.Interval = TimeSpan.FromDays(31));

        var error = Assert.Single(result);
        Assert.Equal("EgressAgent:Heartbeat:Interval must be a positive duration of at most 30 days.", error);
    }

    [Fact]
    public void The_options_adapter_turns_every_validator_failure_into_one_failure_message()
    {
        var adapter = new FluentValidationOptions<OperationsOptions>(new OperationsOptionsValidator(Microsoft.Extensions.Options.Options.Create(new HeartbeatOptions())));

        var result = adapter.Validate(name: null, new OperationsOptions { Workers = 0, PollInterval = TimeSpan.Zero });

        Assert.True(result.Failed);
        Assert.Equal(2, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("Operations:Workers", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Operations:PollInterval must be a positive duration", StringComparison.Ordinal));
    }

    [Fact]
    public void The_options_adapter_passes_a_valid_section()
    {
        var adapter = new FluentValidationOptions<EventsOptions>(new EventsOptionsValidator());

        Assert.True(adapter.Validate(name: null, new EventsOptions()).Succeeded);
    }
}
