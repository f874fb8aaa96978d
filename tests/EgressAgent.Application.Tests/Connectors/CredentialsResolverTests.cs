using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Tests.Support;

namespace EgressAgent.Application.Tests.Connectors;

public sealed class CredentialsResolverTests
{
    private readonly SteppedClock _time = new();
    private readonly FakeSecretSource _source = new();

    private CredentialsResolver Resolver(TimeSpan? expiration = null) =>
        new([_source], TestOptions.Create<ConnectorsOptions>(o => o.SecretCacheExpiration = expiration ?? TimeSpan.FromMinutes(5)), _time);

    private static JsonObject SelfHosted(string type = "fake", string name = "DB") =>
        new() { ["self_hosted_credentials_type"] = type, ["env_var_name"] = name };

    [Fact]
    public async Task Credentials_without_a_self_hosted_type_are_used_as_sent()
    {
        var credentials = new JsonObject { ["connect_args"] = new JsonObject { ["host"] = "db" } };

        var resolved = await Resolver().ResolveAsync(credentials, CancellationToken.None);

        Assert.Equal(credentials.ToJsonString(), resolved.ToJsonString());
        Assert.Equal(0, _source.Reads);
    }

    [Fact]
    public async Task The_secret_becomes_the_credentials_and_connect_args_merge_with_the_secret_winning()
    {
        _source.Text = """{"connect_args": {"password": "s3cret", "port": 6543}, "ssl_options": {"disabled": true}}""";
        var credentials = SelfHosted();
        credentials["connect_args"] = new JsonObject { ["host"] = "db", ["port"] = 5432 };
        credentials["other"] = 1;

        var resolved = await Resolver().ResolveAsync(credentials, CancellationToken.None);

        Assert.Equal(
            """{"connect_args":{"host":"db","port":6543,"password":"s3cret"},"ssl_options":{"disabled":true}}""",
            resolved.ToJsonString());
    }

    [Fact]
    public async Task Secrets_are_cached_for_the_expiration_on_the_monotonic_clock()
    {
        _source.Text = """{"connect_args": {"password": "one"}}""";
        var resolver = Resolver(TimeSpan.FromMinutes(5));

        await resolver.ResolveAsync(SelfHosted(), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(4));
        _time.WallStep = TimeSpan.FromHours(2); // wall clock jumps; nothing expires
        await resolver.ResolveAsync(SelfHosted(), CancellationToken.None);
        Assert.Equal(1, _source.Reads);

        _time.Advance(TimeSpan.FromMinutes(1));
        _source.Text = """{"connect_args": {"password": "two"}}""";
        var resolved = await resolver.ResolveAsync(SelfHosted(), CancellationToken.None);
        Assert.Equal(2, _source.Reads);
        Assert.Equal("two", resolved["connect_args"]!["password"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_locator_is_another_cache_entry()
    {
        _source.Text = """{"a": 1}""";
        var resolver = Resolver();

        await resolver.ResolveAsync(SelfHosted(name: "A"), CancellationToken.None);
        await resolver.ResolveAsync(SelfHosted(name: "B"), CancellationToken.None);

        Assert.Equal(2, _source.Reads);
    }

    [Theory]
    [InlineData("not json {", "fake place does not hold JSON")]
    [InlineData("[1, 2]", "fake place does not hold a JSON object")]
    public async Task A_secret_that_is_not_a_JSON_object_is_a_credentials_error_without_its_text(string text, string reason)
    {
        _source.Text = text;

        var ex = await Assert.ThrowsAsync<OperationFailedException>(() => Resolver().ResolveAsync(SelfHosted(), CancellationToken.None));

        Assert.Equal(ConnectorErrorKinds.CredentialsError, ex.Kind);
        Assert.Equal("Failed to read self-hosted credentials: " + reason, ex.Message);
    }

    [Fact]
    public async Task A_source_failure_is_a_credentials_error_with_its_reason_and_is_not_cached()
    {
        _source.Failure = "environment variable DB is not set";
        var resolver = Resolver();

        var ex = await Assert.ThrowsAsync<OperationFailedException>(() => resolver.ResolveAsync(SelfHosted(), CancellationToken.None));
        Assert.Equal("Failed to read self-hosted credentials: environment variable DB is not set", ex.Message);

        _source.Failure = null;
        _source.Text = "{}";
        await resolver.ResolveAsync(SelfHosted(), CancellationToken.None);
        Assert.Equal(2, _source.Reads);
    }

    [Fact]
    public async Task An_unknown_type_is_a_credentials_error()
    {
        var ex = await Assert.ThrowsAsync<OperationFailedException>(() => Resolver().ResolveAsync(SelfHosted(type: "azure_key_vault"), CancellationToken.None));

        Assert.Equal(ConnectorErrorKinds.CredentialsError, ex.Kind);
        Assert.StartsWith("Failed to read self-hosted credentials: unsupported self_hosted_credentials_type the string \"azure_key_vault\"", ex.Message, StringComparison.Ordinal);
    }

    private sealed class FakeSecretSource : ISelfHostedSecretSource
    {
        public string Text { get; set; } = "{}";

        public string? Failure { get; set; }

        public int Reads { get; private set; }

        public string Type => "fake";

        public Task<SelfHostedSecret> ReadAsync(JsonObject credentials, CancellationToken cancellationToken)
        {
            Reads++;
            return Failure is { } reason ? throw new SelfHostedCredentialsException(reason) : Task.FromResult(new SelfHostedSecret("fake place", Text));
        }
    }
}
