using System.Text.Json.Nodes;

namespace EgressAgent.Application.Execution;

/// <summary>
/// An executor whose <c>timeout</c> field is a parameter of its own rather than the operation's
/// bound: the network checks (docs/protocol.md §14, docs/adr/0047). It reads the field itself — its
/// default, its range, its own parameter error — and ends in its own answer when that time runs
/// out (<c>Port 5432 is closed on db.</c>), where the runner's bound, started first and as long,
/// would win the race with a <c>TimeoutError</c>. The runner still bounds the operation, at
/// <see cref="TimeoutOf"/> plus <see cref="BackstopGrace"/>: only a check that ignored its own
/// timeout would reach it.
/// </summary>
public interface ISelfTimedExecutor : IOperationExecutor
{
    /// <summary>How long past the check's own timeout the runner waits before it ends the operation itself.</summary>
    static readonly TimeSpan BackstopGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The check's own timeout for <paramref name="operation"/>; its default when the field is absent
    /// or unreadable (the executor then answers with its own parameter error). Never throws.
    /// </summary>
    TimeSpan TimeoutOf(JsonObject operation);
}
