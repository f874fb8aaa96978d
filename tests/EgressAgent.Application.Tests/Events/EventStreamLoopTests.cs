using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moq;

namespace EgressAgent.Application.Tests.Events;

/// <summary>Contract §10: no single message stops the stream loop, and neither does a stream that fails.</summary>
public sealed class EventStreamLoopTests : IAsyncDisposable
{
    private readonly Channel<StreamMessage> _messages = Channel.CreateUnbounded<StreamMessage>();
    private readonly Mock<IEventDispatcher> _dispatcher = new(MockBehavior.Strict);
    private readonly List<string> _dispatched = [];
    private readonly PipelineTokens _tokens = new();
    private readonly TrackingTimeProvider _time = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly CancellationTokenSource _stop = new();
    private int _streamFailuresLeft;
    private int _streamsOpened;

    public EventStreamLoopTests()
    {
        _dispatcher
            .Setup(d => d.DispatchAsync(It.IsAny<StreamMessage>(), It.IsAny<CancellationToken>()))
            .Returns<StreamMessage, CancellationToken>((message, _) =>
            {
                lock (_dispatched)
                {
                    _dispatched.Add(message.Data);
                }

                return message.Data == "poison"
                    ? throw new InvalidOperationException("a handler bug")
                    : Task.FromResult(true);
            });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        _tokens.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public async Task A_dispatcher_that_throws_costs_the_stream_not_the_loop_the_next_message_arrives_on_a_new_one()
    {
        // The dispatcher is the event path's one catch-all and never throws (docs/adr/0051); if it
        // did, the loop would treat it like a failed stream: logged, a pause, a new stream.
        var run = Loop().RunAsync(_stop.Token);
        await _messages.Writer.WriteAsync(new StreamMessage("poison", "7"));
        await Eventually.UntilAsync(() => Dispatched.Contains("poison"), "the throwing message is dispatched");
        await _time.WaitForPendingTimerAsync(dueTime: EventStreamLoop.RestartPause);

        _time.Advance(EventStreamLoop.RestartPause);
        await _messages.Writer.WriteAsync(new StreamMessage("after", "8"));

        await Eventually.UntilAsync(() => Dispatched.Contains("after"), "the message after the throwing one is dispatched");
        Assert.Equal(["poison", "after"], Dispatched);
        Assert.Equal(2, Volatile.Read(ref _streamsOpened));
        Assert.False(run.IsCompleted);
        var failed = Assert.Single(_logs.Records, r => r.Level == LogLevel.Error);
        Assert.Contains("a handler bug", failed.Message, StringComparison.Ordinal);
        await StopAsync(run);
    }

    [Fact]
    public async Task With_the_stream_disabled_no_stream_is_opened_and_stopping_intake_ends_the_loop()
    {
        var stream = new Mock<IOrchestratorEventStream>(MockBehavior.Strict);
        var loop = new EventStreamLoop(stream.Object, _dispatcher.Object, _tokens, Options.Create(new EventsOptions { Enabled = false }), _time, _logs.For<EventStreamLoop>());
        var run = loop.RunAsync(_stop.Token);
        _time.Advance(TimeSpan.FromMinutes(5));

        _tokens.StopIntake(discardAssignedWork: false);

        await run.CompletesAsync();
        Assert.True(run.IsCompletedSuccessfully);
        stream.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task A_stream_that_fails_unexpectedly_is_opened_again_after_a_pause()
    {
        _streamFailuresLeft = 1;
        var run = Loop().RunAsync(_stop.Token);
        await Eventually.UntilAsync(() => Volatile.Read(ref _streamsOpened) == 1, "the first stream failed");
        await _time.WaitForPendingTimerAsync(dueTime: EventStreamLoop.RestartPause);

        _time.Advance(EventStreamLoop.RestartPause);
        await _messages.Writer.WriteAsync(new StreamMessage("after", "1"));

        await Eventually.UntilAsync(() => Dispatched.Contains("after"), "the reopened stream delivers");
        Assert.Equal(2, Volatile.Read(ref _streamsOpened));
        Assert.Contains(_logs.Records, r => r.Level == LogLevel.Error && r.Message.Contains("failed unexpectedly", StringComparison.Ordinal));
        await StopAsync(run);
    }

    [Fact]
    public async Task Stopping_intake_ends_the_loop()
    {
        var run = Loop().RunAsync(_stop.Token);
        await Eventually.UntilAsync(() => Volatile.Read(ref _streamsOpened) == 1, "the stream is open");

        _tokens.StopIntake(discardAssignedWork: false);

        await run.CompletesAsync();
        Assert.True(run.IsCompletedSuccessfully);
    }

    private List<string> Dispatched
    {
        get
        {
            lock (_dispatched)
            {
                return [.. _dispatched];
            }
        }
    }

    private async Task StopAsync(Task run)
    {
        await _stop.CancelAsync();
        await run.CompletesAsync();
        Assert.True(run.IsCompletedSuccessfully);
    }

    private EventStreamLoop Loop()
    {
        var stream = new Mock<IOrchestratorEventStream>(MockBehavior.Strict);
        stream.Setup(s => s.ReadAsync(It.IsAny<CancellationToken>())).Returns<CancellationToken>(ReadAsync);
        return new EventStreamLoop(stream.Object, _dispatcher.Object, _tokens, Options.Create(new EventsOptions()), _time, _logs.For<EventStreamLoop>());
    }

    private async IAsyncEnumerable<StreamMessage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _streamsOpened);
        if (Interlocked.Decrement(ref _streamFailuresLeft) >= 0)
        {
            throw new IOException("the stream implementation broke");
        }

        await foreach (var message in _messages.Reader.ReadAllAsync(cancellationToken))
        {
            yield return message;
        }
    }
}
