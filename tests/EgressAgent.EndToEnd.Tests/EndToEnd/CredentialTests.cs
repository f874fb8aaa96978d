using System.Diagnostics;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.EndToEnd;

/// <summary>Where the credential comes from, rotation without a restart, and a credential never accepted (docs/protocol.md §2, §4).</summary>
public sealed class CredentialTests(ITestOutputHelper output)
{
    private const string RotatedId = "e2e-rotated-id";
    private const string RotatedSecret = "rotated-SECRET-never-logged-2b9c";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_rotated_token_file_is_used_from_the_next_request_on_without_a_restart()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        using var secrets = new TempDirectory();
        var tokenFile = Path.Combine(secrets.Path, "token.json");
        WriteTokenFile(tokenFile, EmulatorCredential.Id, EmulatorCredential.Secret);
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Remove("Orchestrator:TokenId")
            .Remove("Orchestrator:TokenSecret")
            .Set("Orchestrator:TokenFile", tokenFile)
            // No idle poll during the test: no request can be in flight while the credential changes.
            .Set("Operations:PollInterval", "00:01:00")
            .Set("Operations:ActivityTimeout", "00:02:00"));
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.OperationPath, Bound);
        await emulator.RunEchoThroughStreamAsync("before-rotation", Bound);
        // The fetch that follows an accepted operation (answered 204) is the last request before the rotation.
        await emulator.WaitForNthRequestAsync(r => r.Path == EmulatorWaits.OperationPath && r.StatusCode == 204, 2, Bound);

        var rotatedAt = emulator.Requests.Count;
        WriteTokenFile(tokenFile, RotatedId, RotatedSecret);
        emulator.SetAcceptedCredential(RotatedId, RotatedSecret);
        await emulator.RunEchoThroughStreamAsync("after-rotation", Bound);
        // A reconnect reads the credential afresh too.
        emulator.CloseStreams();
        var reconnect = await emulator.WaitForNthRequestAsync(r => r.Path == EmulatorWaits.StreamPath, 2, Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        Assert.All(emulator.Requests.Take(rotatedAt), r => Assert.Equal((EmulatorCredential.Id, EmulatorCredential.Secret), (r.TokenId, r.Token)));
        var afterRotation = emulator.Requests.Skip(rotatedAt).ToList();
        Assert.Contains(afterRotation, r => r.Path == EmulatorWaits.OperationPath && r.StatusCode == 200);
        Assert.Contains(afterRotation, r => r.Path.EndsWith("/result", StringComparison.Ordinal));
        Assert.Contains(reconnect, afterRotation);
        Assert.All(afterRotation, r =>
        {
            Assert.Equal((RotatedId, RotatedSecret), (r.TokenId, r.Token));
            Assert.NotEqual(401, r.StatusCode);
        });
        AssertNoSecretIn(agent, EmulatorCredential.Secret, RotatedSecret);
    }

    [Fact]
    public async Task A_credential_rejected_for_AuthFailureExitAfter_exits_3_without_the_shutdown_notification()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        emulator.RejectAllCredentials = true;
        using var data = new TempDirectory();
        var started = Stopwatch.GetTimestamp();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Set("Orchestrator:AuthFailureExitAfter", "00:00:03"));

        var exitCode = await agent.WaitForExitAsync(Bound);
        var exitedAt = DateTimeOffset.UtcNow;
        var fromStart = Stopwatch.GetElapsedTime(started);
        var firstRejected = emulator.Requests.First(r => r.StatusCode == 401).At;
        var rejectedFor = exitedAt - firstRejected;
        output.WriteLine($"exited {exitCode} {fromStart.TotalMilliseconds:0} ms after the start, {rejectedFor.TotalMilliseconds:0} ms after the first rejection");

        Assert.Equal(3, exitCode);
        // The clock starts at the first rejection, not at the process start: on a busy machine the
        // runtime alone takes seconds to reach its first request. Never early, at most 5 s late.
        Assert.True(rejectedFor >= TimeSpan.FromSeconds(3) && rejectedFor < TimeSpan.FromSeconds(3 + 5), $"exit code 3 {rejectedFor} after the first rejection");
        Assert.Contains(emulator.Requests, r => r.StatusCode == 401);
        Assert.DoesNotContain(emulator.Requests, r => r.Path == "/api/v1/agent/shutdown");
        Assert.Contains(agent.Lines, l => l.Contains(EmulatorCredential.Id, StringComparison.Ordinal) && l.Contains("rejected", StringComparison.Ordinal));
        AssertNoSecretIn(agent, EmulatorCredential.Secret);
    }

    [Fact]
    public async Task The_configured_secret_never_appears_in_the_output_of_a_normal_run()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        // Debug logs too: the most talkative the agent gets.
        var settings = AgentSettings.For(emulator, data.Path);
        settings.Environment["Logging__LogLevel__Default"] = "Debug";
        await using var agent = AgentProcess.Start(settings, output);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        emulator.Enqueue("/api/v1/agent/execute/builtin/fail", new JsonObject { ["message"] = "failing on purpose" });
        await emulator.RunEchoThroughStreamAsync("secret-check", Bound);

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Contains(agent.Lines, l => l.Contains("dbug:", StringComparison.Ordinal));
        AssertNoSecretIn(agent, EmulatorCredential.Secret);
    }

    private static void AssertNoSecretIn(AgentProcess agent, params string[] secrets)
    {
        Assert.NotEmpty(agent.Lines);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(agent.Lines, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }

    /// <summary>Written aside and renamed into place, as secret managers do: the agent never reads half a file.</summary>
    private static void WriteTokenFile(string path, string id, string secret)
    {
        var staging = path + ".tmp";
        File.WriteAllText(staging, new JsonObject { ["mcd_id"] = id, ["mcd_token"] = secret }.ToJsonString());
        File.Move(staging, path, overwrite: true);
    }
}
