namespace EgressAgent.Tests.Shared;

/// <summary>
/// A fact that needs Microsoft's Azure Storage emulator: <c>.ci/run</c> starts npm's
/// <c>azurite</c> (blob service) on loopback with an account and key made per run, and sets
/// <c>EGRESS_TEST_AZURITE_ENDPOINT</c> (the account's blob endpoint),
/// <c>EGRESS_TEST_AZURITE_ACCOUNT</c> and <c>EGRESS_TEST_AZURITE_KEY</c>. Without them the test is
/// skipped, with the reason, never faked — except under <c>CI=true</c>, where a missing emulator
/// fails the test.
/// </summary>
public sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute()
    {
        if (!Available && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "EGRESS_TEST_AZURITE_ENDPOINT, EGRESS_TEST_AZURITE_ACCOUNT and EGRESS_TEST_AZURITE_KEY are not all set: no Azure Storage emulator to test against (.ci/run starts azurite and sets them).";
        }
    }

    public static string? Endpoint => Environment.GetEnvironmentVariable("EGRESS_TEST_AZURITE_ENDPOINT");

    public static string? Account => Environment.GetEnvironmentVariable("EGRESS_TEST_AZURITE_ACCOUNT");

    public static string? Key => Environment.GetEnvironmentVariable("EGRESS_TEST_AZURITE_KEY");

    public static bool Available =>
        !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Account) && !string.IsNullOrWhiteSpace(Key);
}
