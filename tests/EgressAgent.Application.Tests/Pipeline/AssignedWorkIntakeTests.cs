using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Capacity;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Tests.Pipeline;

/// <summary>Contract §5.1 and §10: what may enter the queue, from E1 and from next_operation.</summary>
public sealed class AssignedWorkIntakeTests : IDisposable
{
    private readonly InFlightCounter _inFlight = new(4);
    private readonly WorkQueue _queue;
    private readonly PipelineTokens _tokens = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly AssignedWorkIntake _intake;

    public AssignedWorkIntakeTests()
    {
        _queue = new WorkQueue(_inFlight);
        _intake = new AssignedWorkIntake(_queue, _tokens, _logs.For<AssignedWorkIntake>());
    }

    public void Dispose()
    {
        _tokens.Dispose();
        _logs.Dispose();
    }

    [Theory]
    [InlineData("""{"operation_id":"op\ud800","path":"/api/v1/agent/execute/builtin/echo","operation":{}}""")]
    [InlineData("""{"operation_id":"op-1","path":"/api/v1/agent/execute/builtin/echo\udc00","operation":{}}""")]
    [InlineData("""{"\udc00":0,"operation_id":"\ud800","path":"/p"}""")]
    public void An_envelope_whose_id_or_path_is_not_valid_unicode_is_skipped_and_its_reserved_slot_released(string json)
    {
        Assert.True(_inFlight.TryReserve());

        _intake.AcceptReserved(Envelopes.Raw(json), "E1");

        Assert.Equal(0, _inFlight.InFlight);
        Assert.False(_queue.Reader.TryRead(out _));
        var skipped = Assert.Single(_logs.Records);
        Assert.Equal(LogLevel.Warning, skipped.Level);
        Assert.Contains("Skipping an invalid operation envelope from E1", skipped.Message, StringComparison.Ordinal);
        Assert.Contains("\\u", skipped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Piggybacked_work_whose_id_is_not_valid_unicode_is_skipped_and_not_counted()
    {
        _intake.AcceptAssigned(Envelopes.Raw("""{"operation_id":"\ud800","path":"/p"}"""), "next_operation");

        Assert.Equal(0, _inFlight.InFlight);
        Assert.False(_queue.Reader.TryRead(out _));
    }

    [Fact]
    public void A_valid_envelope_with_broken_text_in_its_body_is_taken_with_the_body_repaired()
    {
        _intake.AcceptAssigned(Envelopes.Raw("""{"operation_id":"op-1","path":"/p","operation":{"trace_id":"\ud800"}}"""), "next_operation");

        Assert.True(_queue.Reader.TryRead(out var envelope));
        Assert.Equal("\uFFFD", envelope.TraceId);
        Assert.Equal(1, _inFlight.InFlight);
    }

    [Fact]
    public void Work_arriving_after_shutdown_cancelled_running_work_is_logged_with_its_id_and_not_run()
    {
        _tokens.StopIntake(discardAssignedWork: false);
        _tokens.CancelWork();

        _intake.AcceptAssigned(Envelopes.Fetched("op-late"), "next_operation");

        Assert.Equal(0, _inFlight.InFlight);
        Assert.False(_queue.Reader.TryRead(out _));
        var record = Assert.Single(_logs.Records);
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Equal("op-late", record.Values["OperationId"]);
        Assert.Contains("not running it", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fetched_work_arriving_after_shutdown_cancelled_running_work_releases_its_slot()
    {
        _tokens.CancelWork();
        Assert.True(_inFlight.TryReserve());

        _intake.AcceptReserved(Envelopes.Fetched("op-late"), "E1");

        Assert.Equal(0, _inFlight.InFlight);
        Assert.False(_queue.Reader.TryRead(out _));
    }

    [Fact]
    public void During_a_drain_piggybacked_work_is_still_taken_and_runs()
    {
        _tokens.StopIntake(discardAssignedWork: false);

        _intake.AcceptAssigned(Envelopes.Fetched("op-drain"), "next_operation");

        Assert.True(_queue.Reader.TryRead(out var envelope));
        Assert.Equal("op-drain", envelope.OperationId);
        Assert.Equal(1, _inFlight.InFlight);
    }

    [Fact]
    public void A_large_invalid_envelope_is_logged_truncated_with_its_size()
    {
        var json = "{\"operation_id\":5,\"path\":\"/p\",\"operation\":{\"pad\":\"" + new string('x', 100_000) + "\"}}";

        _intake.AcceptAssigned(Envelopes.Raw(json), "E1");

        var envelope = Assert.IsType<string>(Assert.Single(_logs.Records).Values["Envelope"]);
        Assert.Equal(200 + $"… ({json.Length} bytes)".Length, envelope.Length);
        Assert.EndsWith($"… ({json.Length} bytes)", envelope, StringComparison.Ordinal);
    }
}
