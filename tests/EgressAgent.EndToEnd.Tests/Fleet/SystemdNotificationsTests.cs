using System.Collections.Concurrent;
using EgressAgent.Application.Health;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Host.Lifetime;
using EgressAgent.Host.Management;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace EgressAgent.EndToEnd.Tests.Fleet;

/// <summary>
/// The watchdog pings follow liveness: a loop stuck past its bound stops them (systemd then
/// restarts the agent), and they resume when the step ends. Fake clock, fake notifier.
/// </summary>
public sealed class SystemdNotificationsTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Watchdog_pings_stop_while_a_loop_is_stuck_and_resume_when_it_moves_again()
    {
        var time = new FakeTimeProvider();
        var heartbeats = new LoopHeartbeats(time);
        var sent = new ConcurrentQueue<string>();
        var notifier = new Mock<ISystemdNotifier>();
        notifier.SetupGet(n => n.IsEnabled).Returns(true);
        notifier.Setup(n => n.Notify(It.IsAny<ServiceState>())).Callback<ServiceState>(s => sent.Enqueue(s.ToString()));
        using var started = new CancellationTokenSource();
        var lifetime = new Mock<IHostApplicationLifetime>();
        lifetime.SetupGet(l => l.ApplicationStarted).Returns(started.Token);
        var shutdown = new Mock<IShutdownCoordinator>();
        var logs = new RecordingLogger();
        using var services = new ServiceCollection().BuildServiceProvider();
        using var notifications = new SystemdNotifications(
            notifier.Object, lifetime.Object, shutdown.Object, new AgentLiveness(heartbeats, services), time, logs)
        {
            WatchdogIntervalSource = () => Interval,
        };

        await notifications.StartAsync(CancellationToken.None);
        await started.CancelAsync();
        await TickUntilAsync(time, () => sent.Count(s => s == "WATCHDOG=1") >= 2, "two pings while alive");
        Assert.Equal("READY=1", sent.First());

        var step = heartbeats.Working(AgentLoops.Publisher, Bound);
        time.Advance(Bound + TimeSpan.FromSeconds(1));
        var pingsWhileStuck = sent.Count(s => s == "WATCHDOG=1");
        var withheldBefore = logs.Count("WATCHDOG=1 withheld");
        await TickUntilAsync(time, () => logs.Count("WATCHDOG=1 withheld") >= withheldBefore + 3, "three ticks with the loop stuck");
        Assert.Equal(pingsWhileStuck, sent.Count(s => s == "WATCHDOG=1"));
        Assert.Contains(logs.Messages, m => m.Contains("publisher: one step working for", StringComparison.Ordinal));

        step.Dispose();
        await TickUntilAsync(time, () => sent.Count(s => s == "WATCHDOG=1") > pingsWhileStuck, "a ping once the loop moved");
        await notifications.StopAsync(CancellationToken.None);
    }

    /// <summary>Moves the clock one interval at a time until the loop, on its own thread, has done what was expected.</summary>
    private static async Task TickUntilAsync(FakeTimeProvider time, Func<bool> done, string what)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (!done())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"timed out waiting for {what}");
            time.Advance(Interval);
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    private sealed class RecordingLogger : ILogger<SystemdNotifications>
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyList<string> Messages => [.. _messages];

        public int Count(string fragment) => _messages.Count(m => m.Contains(fragment, StringComparison.Ordinal));

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _messages.Enqueue(formatter(state, exception));
    }
}
