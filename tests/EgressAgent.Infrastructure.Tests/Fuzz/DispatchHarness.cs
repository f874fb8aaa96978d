using EgressAgent.Application;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.Tests.Fuzz;

/// <summary>
/// The real application composition (AddApplication: catalog, dispatcher, validators, MediatR,
/// handlers and their decorator) with the ports the handlers call replaced by recorders, so each
/// dispatched event leaves exactly one observable effect. Hand-written recorders rather than Moq:
/// a million inputs would make Moq keep a million recorded invocations.
/// </summary>
internal sealed class DispatchHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public DispatchHarness()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(Log));
        services.AddApplication();
        services.Replace(ServiceDescriptor.Singleton<IShutdownCoordinator>(Ports));
        services.Replace(ServiceDescriptor.Singleton<IWorkSignal>(Ports));
        services.Replace(ServiceDescriptor.Singleton<IBackpressure>(Ports));
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        Dispatcher = _services.GetRequiredService<EventDispatcher>();
    }

    public RecordingPorts Ports { get; } = new();

    public EffectLog Log { get; } = new();

    public EventDispatcher Dispatcher { get; }

    /// <summary>Every effect since the last call, from the ports and the welcome handler's log.</summary>
    public List<Effect> TakeEffects()
    {
        var effects = Ports.Take();
        effects.AddRange(Log.TakeWelcomes());
        return effects;
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>The ports the event handlers call, recording each call as an effect.</summary>
internal sealed class RecordingPorts : IShutdownCoordinator, IWorkSignal, IBackpressure
{
    private readonly List<Effect> _effects = [];

    public AgentState State => AgentState.Running;

    public int ExitCode => 0;

    public Task Completion => Task.CompletedTask;

    public CancellationToken Stopping => CancellationToken.None;

    /// <summary>Saturated, so the heartbeat handler answers every heartbeat event.</summary>
    public bool IsSaturated => true;

    public void RequestShutdown(ShutdownTrigger trigger, string reason) => Record(new Effect(trigger == ShutdownTrigger.Goodbye ? "goodbye" : "shutdown:" + trigger, reason));

    public Task ShutdownAsync(ShutdownTrigger trigger, string reason)
    {
        Record(new Effect("shutdown-and-wait:" + trigger, reason));
        return Task.CompletedTask;
    }

    public void Escalate(string reason) => Record(new Effect("escalate", reason));

    public void Signal() => Record(new Effect("work_available"));

    public void RequestHeartbeat() => Record(new Effect("heartbeat"));

    public List<Effect> Take()
    {
        lock (_effects)
        {
            var taken = new List<Effect>(_effects);
            _effects.Clear();
            return taken;
        }
    }

    private void Record(Effect effect)
    {
        lock (_effects)
        {
            _effects.Add(effect);
        }
    }
}

/// <summary>
/// Counts the log records that tell what the dispatch path did: welcomes (the welcome handler
/// only logs), handlers that failed, and messages the dispatcher's catch-all had to swallow.
/// Nothing is formatted; other records are disabled.
/// </summary>
internal sealed class EffectLog : ILoggerProvider
{
    private readonly List<Effect> _welcomes = [];
    private long _handlerFailures;
    private long _unexpectedFailures;

    public long HandlerFailures => Interlocked.Read(ref _handlerFailures);

    public long UnexpectedFailures => Interlocked.Read(ref _unexpectedFailures);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public List<Effect> TakeWelcomes()
    {
        lock (_welcomes)
        {
            var taken = new List<Effect>(_welcomes);
            _welcomes.Clear();
            return taken;
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(EffectLog owner, string category) : ILogger
    {
        private readonly bool _welcome = category.EndsWith(".WelcomeHandler", StringComparison.Ordinal);
        private readonly bool _decorator = category.Contains("ObservedEventHandler", StringComparison.Ordinal);
        private readonly bool _dispatcher = category.EndsWith(".EventDispatcher", StringComparison.Ordinal);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            (_welcome && logLevel == LogLevel.Information) || ((_decorator || _dispatcher) && logLevel >= LogLevel.Error);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (_welcome && eventId.Name == "LogWelcome")
            {
                var agentId = state is IReadOnlyList<KeyValuePair<string, object?>> values
                    ? values.FirstOrDefault(v => v.Key == "AgentId").Value as string
                    : null;
                lock (owner._welcomes)
                {
                    owner._welcomes.Add(new Effect("welcome", agentId));
                }
            }
            else if (_decorator && logLevel >= LogLevel.Error)
            {
                Interlocked.Increment(ref owner._handlerFailures);
            }
            else if (_dispatcher && eventId.Name == "LogDispatchFailed")
            {
                Interlocked.Increment(ref owner._unexpectedFailures);
            }
        }
    }
}
