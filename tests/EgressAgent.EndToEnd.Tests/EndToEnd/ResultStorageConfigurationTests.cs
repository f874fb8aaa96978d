using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.EndToEnd;

/// <summary>
/// <c>EgressAgent:Results:Storage</c> (docs/protocol.md §13, docs/adr/0048): a provider without its
/// settings is a configuration error, every missing setting listed at once, exit 2, nothing
/// contacted, no secret value printed; the reference's <c>MCD_STORAGE*</c> variables are read.
/// </summary>
public sealed class ResultStorageConfigurationTests(ITestOutputHelper output)
{
    private const string AccountKey = "c2VjcmV0LWFjY291bnQta2V5LW5ldmVyLXNob3du"; // base64, so only the missing name is a problem
    private static readonly TimeSpan QuickExitBound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task An_S3_compatible_store_named_by_MCD_STORAGE_without_its_settings_lists_every_missing_one_and_exits_2()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s =>
        {
            s.Environment["MCD_STORAGE"] = "S3_COMPATIBLE";
            s.Environment["MCD_STORAGE_SECRET_KEY"] = "s3-SECRET-never-shown-5f1d";
            s.Environment["MCD_PRE_SIGNED_URL_RESPONSE_EXPIRATION_SECONDS"] = "999999";
        });

        Assert.Equal(2, await agent.WaitForExitAsync(QuickExitBound));
        foreach (var key in new[] { "Bucket (MCD_STORAGE_BUCKET_NAME)", "EndpointUrl (MCD_STORAGE_ENDPOINT_URL)", "AccessKey (MCD_STORAGE_ACCESS_KEY)", "UrlExpiration" })
        {
            Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Results:Storage:" + key, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(agent.ErrorLines, l => l.Contains("SecretKey", StringComparison.Ordinal)); // given: not a problem
        Assert.DoesNotContain(agent.Lines.Concat(agent.ErrorLines), l => l.Contains("s3-SECRET-never-shown-5f1d", StringComparison.Ordinal));
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task An_Azure_store_without_its_account_and_an_unknown_provider_are_configuration_errors_that_never_print_a_key()
    {
        using var data = new TempDirectory();
        await using (var azure = AgentProcess.Start(Settings(data).Set("Results:Storage:Provider", "AzureBlob").Set("Results:Storage:Bucket", "c").Set("Results:Storage:AccountKey", AccountKey), output))
        {
            Assert.Equal(2, await azure.WaitForExitAsync(QuickExitBound));
            Assert.Contains(azure.ErrorLines, l => l.Contains("EgressAgent:Results:Storage:AccountName (MCD_STORAGE_ACCOUNT_NAME) is required for provider AzureBlob", StringComparison.Ordinal));
            Assert.DoesNotContain(azure.Lines.Concat(azure.ErrorLines), l => l.Contains(AccountKey, StringComparison.Ordinal));
        }

        await using var unknown = AgentProcess.Start(Settings(data).Set("Results:Storage:Provider", "Dropbox"), output);
        Assert.Equal(2, await unknown.WaitForExitAsync(QuickExitBound));
        Assert.Contains(unknown.ErrorLines, l => l.Contains("EgressAgent:Results:Storage:Provider (MCD_STORAGE) must be one of S3, S3Compatible, AzureBlob, GCS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GCS_needs_a_bucket_and_the_native_agent_refuses_it_with_a_clear_reason()
    {
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(Settings(data).Set("Results:Storage:Provider", "GCS"), output);

        Assert.Equal(2, await agent.WaitForExitAsync(QuickExitBound));
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Results:Storage:Bucket (MCD_STORAGE_BUCKET_NAME) is required for provider GCS", StringComparison.Ordinal));
        var nativeRefusal = agent.ErrorLines.Any(l => l.Contains("GCS is not available in the native agent", StringComparison.Ordinal));
        Assert.Equal(AgentProcess.NativeAgentPath is not null, nativeRefusal);
    }

    // Everything else valid, so the storage settings are the only problems.
    private static AgentSettings Settings(TempDirectory data) => new AgentSettings()
        .Set("Orchestrator:BaseUrl", "http://127.0.0.1:9")
        .Set("Orchestrator:TokenId", EmulatorCredential.Id)
        .Set("Orchestrator:TokenSecret", EmulatorCredential.Secret)
        .Set("Storage:DataDirectory", data.Path);
}
