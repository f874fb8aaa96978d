using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace EgressAgent.Application.Tests.Connectors;

/// <summary>The connector executor behind the router's fallback, run through the real <see cref="OperationRunner"/>.</summary>
public sealed class ConnectorProgramExecutorTests : IDisposable
{
    private const string Program = """
        [{"method": "cursor", "store": "_cursor"},
         {"target": "_cursor", "method": "execute", "args": ["SELECT 1", null]},
         {"target": "__utils", "method": "build_dict", "kwargs": {"rows": {"__type__": "call", "target": "_cursor", "method": "fetchall"}}}]
        """;

    private readonly FakeTimeProvider _time = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly FakeConnectionType _type = new("fake", "fake-alias");
    private readonly ConnectorsOptions _options = new();
    private readonly List<ISelfHostedSecretSource> _secretSources = [];
    private ClientCache? _cache;

    public void Dispose()
    {
        _cache?.Dispose();
        _logs.Dispose();
    }

    private OperationRunner Runner()
    {
        var options = Microsoft.Extensions.Options.Options.Create(_options);
        _cache = new ClientCache(options, _time, _logs.For<ClientCache>());
        var connectors = new ConnectorProgramExecutor([_type], new CredentialsResolver(_secretSources, options, _time), _cache, options, _logs.For<ConnectorProgramExecutor>());
        var builtin = new DelegateExecutor(OperationRoute.Execute("builtin", "echo"), (c, _) => Task.FromResult<JsonNode?>(c.Operation.DeepClone()));
        return new OperationRunner(new OperationRouter([builtin], connectors), new Mock<IOrchestratorApi>(MockBehavior.Strict).Object, _time, _logs.For<OperationRunner>());
    }

    private static OperationEnvelope Envelope(string path, string operation, string credentials = "{}") =>
        OperationEnvelope.TryRead(Envelopes.Json($$$"""{"operation_id":"op-1","path":"{{{path}}}","credentials":{{{credentials}}},"operation":{{{operation}}}}"""))!;

    private async Task<OperationResult> RunAsync(string path, string operation, string credentials = "{}") =>
        (await Runner().RunAsync(Envelope(path, operation, credentials), CancellationToken.None))!;

    private static string Commands(string program = Program) => $$"""{"trace_id": "t-1", "commands": {{program}}}""";

    [Fact]
    public async Task A_connection_type_runs_the_program_on_one_session_and_keeps_its_client()
    {
        var session = new FakeSession { Cursor = new FakeCursor(JsonNode.Parse("[[1]]")!.AsArray(), []) };
        _type.NewSession = () => session;

        var result = await RunAsync("/api/v1/agent/execute/fake/fetch_tables", Commands(), """{"connect_args": {"host": "db"}}""");

        Assert.Equal("""{"__mcd_result__":{"rows":[[1]]},"__mcd_trace_id__":"t-1"}""", result.ToJson().ToJsonString());
        Assert.True(session.Disposed);
        var request = Assert.Single(_type.Requests);
        Assert.Equal(("fake", true, """{"connect_args":{"host":"db"}}"""), (request.TypeName, request.ReadOnly, request.Credentials.ToJsonString()));
        Assert.Equal(0, _type.Clients[0].Disposals);
        Assert.Contains(_logs.Records, r => r.Message.Contains("fetch_tables", StringComparison.Ordinal) && r.Message.Contains("fake", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_executors_connector_with_an_unknown_name_stays_an_unsupported_path()
    {
        var result = await RunAsync("/api/v1/agent/execute/builtin/nope", Commands());

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal(("Unsupported operation path: /api/v1/agent/execute/builtin/nope", ErrorKinds.UnsupportedOperation), (failed.Message, failed.Kind));
        Assert.Empty(_type.Requests);
    }

    [Fact]
    public async Task An_unknown_connection_type_is_not_supported()
    {
        var result = await RunAsync("/api/v1/agent/execute/oracle/fetch", Commands());

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal(("Connection type not supported by this agent: oracle", ConnectorErrorKinds.UnsupportedConnectionType), (failed.Message, failed.Kind));
    }

    [Fact]
    public async Task An_alias_is_served_and_passed_on_with_its_own_name()
    {
        await RunAsync("/api/v1/agent/execute/fake-alias/q", Commands());

        Assert.Equal("fake-alias", Assert.Single(_type.Requests).TypeName);
    }

    [Theory]
    [InlineData("fake", "false", false)]
    [InlineData("fake-alias", "false", false)]
    [InlineData("fake", "true", true)]
    public async Task ReadOnly_comes_from_the_options_per_type(string configuredName, string value, bool expected)
    {
        _options.SetReadOnly(configuredName, bool.Parse(value));

        await RunAsync("/api/v1/agent/execute/fake-alias/q", Commands());

        Assert.Equal(expected, Assert.Single(_type.Requests).ReadOnly);
    }

    [Fact]
    public async Task A_program_of_the_wrong_shape_opens_nothing()
    {
        var result = await RunAsync("/api/v1/agent/execute/fake/q", """{"commands": [{"method": 1}]}""");

        Assert.Equal(ErrorKinds.InvalidOperation, Assert.IsType<OperationResult.Failed>(result).Kind);
        Assert.Empty(_type.Requests);
    }

    [Fact]
    public async Task Skip_cache_uses_a_fresh_client_closed_afterwards()
    {
        await RunAsync("/api/v1/agent/execute/fake/q", """{"skip_cache": true, "commands": []}""");

        Assert.Equal(1, Assert.Single(_type.Clients).Disposals);
    }

    [Fact]
    public async Task Skip_cache_that_is_not_a_boolean_is_invalid()
    {
        var result = await RunAsync("/api/v1/agent/execute/fake/q", """{"skip_cache": "yes", "commands": []}""");

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal(("'skip_cache' must be true or false, not the string \"yes\"", ErrorKinds.InvalidOperation), (failed.Message, failed.Kind));
    }

    [Fact]
    public async Task A_program_error_is_named_after_its_exception_and_evicts_the_client()
    {
        var result = await RunAsync("/api/v1/agent/execute/fake/q", Commands("""[{"method": "nope"}]"""));

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal("Failed to resolve method nope", failed.Message);
        Assert.Equal(nameof(ProgramMethodNotFoundException), failed.Kind);
        Assert.Equal("ProgramMethodNotFoundException: Failed to resolve method nope", failed.Exception);
        Assert.Equal(1, Assert.Single(_type.Clients).Disposals);
    }

    [Fact]
    public async Task A_session_that_cannot_be_opened_is_a_connection_error_and_evicts_the_client()
    {
        _type.OpenFailure = new InvalidOperationException("connection refused");

        var result = await RunAsync("/api/v1/agent/execute/fake/q", Commands());

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal(("connection refused", ConnectorErrorKinds.ConnectionError, "InvalidOperationException: connection refused"), (failed.Message, failed.Kind, failed.Exception));
        Assert.Equal(1, Assert.Single(_type.Clients).Disposals);
    }

    [Fact]
    public async Task An_unreadable_self_hosted_secret_is_a_credentials_error()
    {
        var result = await RunAsync("/api/v1/agent/execute/fake/q", Commands(), """{"self_hosted_credentials_type": "env_var", "env_var_name": "X"}""");

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal(ConnectorErrorKinds.CredentialsError, failed.Kind);
        Assert.StartsWith("Failed to read self-hosted credentials: ", failed.Message, StringComparison.Ordinal);
    }

    public static readonly TheoryData<string, string> Secrets = new()
    {
        { """{"connect_args": {"host": "db", "password": "hunter2hunter2"}}""", "hunter2hunter2" },
        { """{"connect_args": {"host": "db", "Api_Token": "tok-123456"}}""", "tok-123456" },
        { """{"connect_args": {"host": "db"}, "ssl_options": {"key_data": "-----BEGIN KEY-----abc"}}""", "-----BEGIN KEY-----abc" },
        { """{"connect_args": {"host": "db", "nested": {"client_secret": 987654321}}}""", "987654321" },
        { """{"connect_args": "SERVER=tcp:h,1433;UID=u;PWD=pw-in-odbc;DATABASE=d"}""", "SERVER=tcp:h,1433;UID=u;PWD=pw-in-odbc;DATABASE=d" },
        { """{"connect_args": {"host": "db", "user": "mc"}}""", """{"host":"db","user":"mc"}""" },
    };

    [Theory]
    [MemberData(nameof(Secrets))]
    public async Task No_credential_value_reaches_a_result_or_a_log(string credentials, string secret)
    {
        _type.OpenFailure = new InvalidOperationException($"cannot connect with '{secret}' (really: {secret})");

        var result = await RunAsync("/api/v1/agent/execute/fake/q", Commands(), credentials);

        var failed = Assert.IsType<OperationResult.Failed>(result);
        var text = failed.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.Contains(CredentialRedactor.Placeholder, failed.Message, StringComparison.Ordinal);
        Assert.Contains(CredentialRedactor.Placeholder, failed.Exception, StringComparison.Ordinal);
        Assert.NotEmpty(_logs.Records);
        Assert.All(_logs.Records, r => Assert.DoesNotContain(secret, r.Message + string.Join(" ", r.Values.Values), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_program_error_quoting_a_self_hosted_secret_is_redacted_and_the_longest_value_goes_first()
    {
        _secretSources.Add(new StaticSecretSource("""{"connect_args": {"password": "abc", "token": "abcdef"}}"""));
        var session = new FakeSession();
        session.Methods["boom"] = _ => throw new FormatException("bad value abcdef near abc");
        _type.NewSession = () => session;

        var result = await RunAsync("/api/v1/agent/execute/fake/q", Commands("""[{"method": "boom"}]"""), """{"self_hosted_credentials_type": "static"}""");

        var failed = Assert.IsType<OperationResult.Failed>(result);
        Assert.Equal(("bad value __redacted__ near __redacted__", nameof(FormatException)), (failed.Message, failed.Kind));
        Assert.Equal("FormatException: bad value __redacted__ near __redacted__", failed.Exception);
        Assert.All(_logs.Records, r => Assert.DoesNotContain("abc", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Error_attributes_and_exception_text_of_a_driver_error_are_redacted_too()
    {
        var session = new FakeSession();
        session.Methods["boom"] = _ => throw new OperationFailedException("denied for pw-xyz", ConnectorErrorKinds.DatabaseError)
        {
            ExceptionText = "PostgresException: denied for pw-xyz",
            Attributes = new JsonObject { ["sqlstate"] = "28P01", ["detail"] = "pw-xyz" },
        };
        _type.NewSession = () => session;

        var result = await RunAsync("/api/v1/agent/execute/fake/q", Commands("""[{"method": "boom"}]"""), """{"connect_args": {"password": "pw-xyz"}}""");

        var json = result.ToJson().ToJsonString();
        Assert.DoesNotContain("pw-xyz", json, StringComparison.Ordinal);
        Assert.Equal(
            """{"__mcd_error__":"denied for __redacted__","__mcd_exception__":"PostgresException: denied for __redacted__","__mcd_error_type__":"DatabaseError","__mcd_error_attrs__":{"sqlstate":"28P01","detail":"__redacted__"},"__mcd_trace_id__":"t-1"}""",
            json);
    }

    private sealed class StaticSecretSource(string text) : ISelfHostedSecretSource
    {
        public string Type => "static";

        public Task<SelfHostedSecret> ReadAsync(JsonObject credentials, CancellationToken cancellationToken) =>
            Task.FromResult(new SelfHostedSecret("static place", text));
    }
}
