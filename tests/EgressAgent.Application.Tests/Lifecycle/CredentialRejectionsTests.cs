using EgressAgent.Application.Orchestrator;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Application.Tests.Lifecycle;

/// <summary>
/// The exit after AuthFailureExitAfter (docs/protocol.md §4) is measured on the monotonic clock
/// (§10 "Time"): a wall-clock step neither ends the process early nor holds its exit back.
/// </summary>
public sealed class CredentialRejectionsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private readonly SteppedWallClock _time = new();
    private readonly CredentialRejections _rejections;

    public CredentialRejectionsTests() => _rejections = new CredentialRejections(_time);

    [Fact]
    public void A_wall_clock_stepped_forward_a_day_does_not_end_the_process_early()
    {
        _rejections.RecordRejected();

        _time.StepWallClock(TimeSpan.FromDays(1));
        Assert.False(_rejections.RejectedFor(Limit));
        Assert.Equal(TimeSpan.Zero, _rejections.RejectedDuration);

        _time.Advance(Limit - TimeSpan.FromTicks(1));
        Assert.False(_rejections.RejectedFor(Limit));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(_rejections.RejectedFor(Limit));
    }

    [Fact]
    public void A_wall_clock_stepped_back_an_hour_does_not_hold_the_exit_back()
    {
        _rejections.RecordRejected();
        _time.Advance(TimeSpan.FromMinutes(2));

        _time.StepWallClock(-TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromMinutes(3));

        Assert.True(_rejections.RejectedFor(Limit));
        Assert.Equal(Limit, _rejections.RejectedDuration);
    }

    [Fact]
    public void An_accepted_request_starts_the_count_afresh()
    {
        _rejections.RecordRejected();
        _time.Advance(TimeSpan.FromMinutes(4));
        _rejections.RecordAccepted();
        _rejections.RecordRejected();
        _time.Advance(TimeSpan.FromMinutes(4));

        Assert.False(_rejections.RejectedFor(Limit));
        Assert.Equal(TimeSpan.FromMinutes(4), _rejections.RejectedDuration);
    }
}
