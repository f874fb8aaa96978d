using EgressAgent.Domain.Lifecycle;

namespace EgressAgent.Domain.Tests.Lifecycle;

public sealed class ShutdownTriggerRulesTests
{
    public static TheoryData<ShutdownTrigger, bool, bool, int> Rules => new()
    {
        // trigger, drains, notifies the orchestrator, exit code
        { ShutdownTrigger.Goodbye, false, true, ExitCodes.Graceful },
        { ShutdownTrigger.Signal, true, true, ExitCodes.Graceful },
        { ShutdownTrigger.HostStop, true, true, ExitCodes.Graceful },
        { ShutdownTrigger.CredentialsRejected, false, false, ExitCodes.CredentialsRejected },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_trigger_has_its_drain_notify_and_exit_code_rule(ShutdownTrigger trigger, bool drains, bool notifies, int exitCode)
    {
        Assert.Equal(drains, trigger.Drains());
        Assert.Equal(notifies, trigger.NotifiesOrchestrator());
        Assert.Equal(exitCode, trigger.ExitCode());
    }

    [Fact]
    public void Every_trigger_is_covered_by_the_rules_above()
    {
        // A new trigger must get a row above, deciding its drain and exit code on purpose.
        var covered = Rules.Select(row => (ShutdownTrigger)row[0]).ToHashSet();

        Assert.Equal(Enum.GetValues<ShutdownTrigger>().ToHashSet(), covered);
    }

    [Fact]
    public void Exit_codes_are_the_contract_values()
    {
        Assert.Equal(0, ExitCodes.Graceful);
        Assert.Equal(1, ExitCodes.Fatal);
        Assert.Equal(2, ExitCodes.InvalidConfiguration);
        Assert.Equal(3, ExitCodes.CredentialsRejected);
    }
}
