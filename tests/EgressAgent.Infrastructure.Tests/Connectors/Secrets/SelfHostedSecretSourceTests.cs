using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors.Secrets;

namespace EgressAgent.Infrastructure.Tests.Connectors.Secrets;

public sealed class SelfHostedSecretSourceTests : IDisposable
{
    private const string Secret = """{"connect_args": {"password": "v3ry-s3cret"}}""";
    private readonly string _directory = Directory.CreateTempSubdirectory("egress-secrets-").FullName;
    private readonly string _variable = "EGRESS_TEST_SECRET_" + Guid.NewGuid().ToString("N");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_environment_variable_source_reads_the_named_variable()
    {
        Environment.SetEnvironmentVariable(_variable, Secret);

        var secret = await new EnvironmentVariableSecretSource().ReadAsync(new JsonObject { ["env_var_name"] = _variable }, CancellationToken.None);

        Assert.Equal((Secret, $"environment variable {_variable}"), (secret.Text, secret.Origin));
        Assert.DoesNotContain("v3ry", secret.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unset_variable_is_named_in_the_reason()
    {
        var ex = await Assert.ThrowsAsync<SelfHostedCredentialsException>(() =>
            new EnvironmentVariableSecretSource().ReadAsync(new JsonObject { ["env_var_name"] = _variable }, CancellationToken.None));

        Assert.Equal($"environment variable {_variable} is not set", ex.Message);
    }

    [Theory]
    [InlineData("""{}""", "env_var_name must be a non-empty string")]
    [InlineData("""{"env_var_name": 3}""", "env_var_name must be a non-empty string")]
    public async Task A_missing_variable_name_is_a_reason(string credentials, string reason)
    {
        var ex = await Assert.ThrowsAsync<SelfHostedCredentialsException>(() =>
            new EnvironmentVariableSecretSource().ReadAsync(JsonNode.Parse(credentials)!.AsObject(), CancellationToken.None));

        Assert.Equal(reason, ex.Message);
    }

    [Fact]
    public async Task The_file_source_reads_the_file()
    {
        var path = Path.Combine(_directory, "creds.json");
        await File.WriteAllTextAsync(path, Secret);

        var secret = await new FileSecretSource().ReadAsync(new JsonObject { ["file_path"] = path }, CancellationToken.None);

        Assert.Equal((Secret, $"file {path}"), (secret.Text, secret.Origin));
    }

    [Fact]
    public async Task A_missing_file_is_named_in_the_reason()
    {
        var path = Path.Combine(_directory, "nope", "creds.json");

        var ex = await Assert.ThrowsAsync<SelfHostedCredentialsException>(() =>
            new FileSecretSource().ReadAsync(new JsonObject { ["file_path"] = path }, CancellationToken.None));

        Assert.Equal($"file {path} does not exist", ex.Message);
    }

    [Fact]
    public async Task A_file_above_the_bound_is_refused()
    {
        var path = Path.Combine(_directory, "big.json");
        await File.WriteAllBytesAsync(path, new byte[FileSecretSource.MaxBytes + 1]);

        var ex = await Assert.ThrowsAsync<SelfHostedCredentialsException>(() =>
            new FileSecretSource().ReadAsync(new JsonObject { ["file_path"] = path }, CancellationToken.None));

        Assert.Equal($"file {path} is larger than {FileSecretSource.MaxBytes} bytes", ex.Message);
    }

    [Fact]
    public async Task A_directory_is_not_a_readable_file()
    {
        var ex = await Assert.ThrowsAsync<SelfHostedCredentialsException>(() =>
            new FileSecretSource().ReadAsync(new JsonObject { ["file_path"] = _directory }, CancellationToken.None));

        Assert.StartsWith($"file {_directory} ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_types_are_the_contracts_names()
    {
        Assert.Equal(("env_var", "file"), (new EnvironmentVariableSecretSource().Type, new FileSecretSource().Type));
    }
}
