using System.Threading.Channels;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Health;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Infrastructure.Orchestrator;
using EgressAgent.Infrastructure.Stream;
using EgressAgent.Infrastructure.Tests.Support;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Tests.Stream;

/// <summary>
/// An <see cref="SseOrchestratorEventStream"/> wired to a <see cref="ScriptedSseServer"/> and an
/// <see cref="ObservedTimeProvider"/>, read by a background consumer that is always waiting for
/// the next message (as the host's stream worker is), so the stream loop never stalls on the test.
/// </summary>
internal sealed class StreamHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<StreamMessage> _messages = Channel.CreateUnbounded<StreamMessage>();
    private readonly Task _consumer;

    public StreamHarness(double random = 1.0, TimeSpan? idleTimeout = null, TimeSpan? maxReconnectDelay = null)
    {
        IdleTimeout = idleTimeout ?? TimeSpan.FromHours(1);
        Stream = new SseOrchestratorEventStream(
            new StubHttpClientFactory(Server),
            new OrchestratorUrl(Options.Create(new OrchestratorOptions { BaseUrl = "https://orchestrator.test/prefix" })),
            Options.Create(new EventsOptions { IdleTimeout = IdleTimeout, MaxReconnectDelay = maxReconnectDelay ?? TimeSpan.FromSeconds(10) }),
            Counters,
            Time,
            NullLogger<SseOrchestratorEventStream>.Instance)
        {
            Random = () => random,
        };
        _consumer = Task.Run(ConsumeAsync);
    }

    public TimeSpan IdleTimeout { get; }

    public ScriptedSseServer Server { get; } = new();

    public ObservedTimeProvider Time { get; } = new();

    public AgentCounters Counters { get; } = new();

    public SseOrchestratorEventStream Stream { get; }

    public async Task<StreamMessage> NextMessageAsync()
    {
        using var deadline = new CancellationTokenSource(Pulse.DefaultTimeout);
        try
        {
            return await _messages.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No stream message within {Pulse.DefaultTimeout}.");
        }
        catch (ChannelClosedException ex)
        {
            throw new InvalidOperationException("The stream's consumer ended.", ex.InnerException ?? ex);
        }
    }

    /// <summary>True when a message has arrived and not been taken.</summary>
    public bool HasPendingMessage => _messages.Reader.TryPeek(out _);

    /// <summary>The next reconnect delay the stream starts (timers of the idle watchdog are passed over).</summary>
    public Task<TimeSpan> NextReconnectDelayAsync() =>
        Time.NextTimerAsync(due => due != IdleTimeout, "the stream to start its reconnect delay");

    /// <summary>Waits for the next reconnect delay, checks nothing reconnects a tick early, then lets it run out.</summary>
    public async Task<(TimeSpan Delay, ServerConnection Next)> SitOutReconnectDelayAsync()
    {
        var delay = await NextReconnectDelayAsync();
        var requestsBefore = Server.RequestCount;
        Time.Advance(delay - TimeSpan.FromTicks(1));
        Assert.Equal(requestsBefore, Server.RequestCount);
        Time.Advance(TimeSpan.FromTicks(1));
        return (delay, await Server.NextConnectionAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _consumer.WaitAsync(Pulse.DefaultTimeout);
        }
        finally
        {
            _stop.Dispose();
            Server.Dispose();
        }
    }

    private async Task ConsumeAsync()
    {
        try
        {
            await foreach (var message in Stream.ReadAsync(_stop.Token))
            {
                _messages.Writer.TryWrite(message);
            }

            _messages.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            // Surfaces in NextMessageAsync and in DisposeAsync: the stream must never throw.
            _messages.Writer.TryComplete(ex);
            throw;
        }
    }
}
