using System.Globalization;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Faults;
using EgressAgent.Host.Management;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Host.Lifetime;

/// <summary>
/// The sd_notify side of a <c>Type=notify</c> unit (docs/protocol.md §11, docs/adr/0025): <c>READY=1</c>
/// once the host has started, <c>STOPPING=1</c> the moment the shutdown sequence starts (our own
/// <see cref="SignalLifetime"/> replaces the systemd lifetime, so nobody else would say it), and
/// <c>WATCHDOG=1</c> every half <c>WATCHDOG_USEC</c> — only while <see cref="AgentLiveness"/> finds
/// nothing stuck or dead, so systemd restarts a hung agent exactly when <c>/livez</c> would fail.
/// Does nothing without <c>NOTIFY_SOCKET</c>.
/// </summary>
internal sealed partial class SystemdNotifications(
    ISystemdNotifier notifier,
    IHostApplicationLifetime lifetime,
    IShutdownCoordinator shutdown,
    AgentLiveness liveness,
    TimeProvider timeProvider,
    ILogger<SystemdNotifications> logger) : BackgroundService
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");

    /// <summary>How often to ping; from systemd's environment, replaceable so tests can set it.</summary>
    internal Func<TimeSpan?> WatchdogIntervalSource { get; init; } = () => WatchdogInterval(
        Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }

        using var ready = lifetime.ApplicationStarted.Register(() => Notify(ServiceState.Ready));
        using var stopping = shutdown.Stopping.Register(() => Notify(ServiceState.Stopping));
        try
        {
            if (WatchdogIntervalSource() is not { } every)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, timeProvider, stoppingToken);
                return;
            }

            LogWatchdog(logger, every);
            using var timer = new PeriodicTimer(every, timeProvider);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                PingIfAlive();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is done: the process exits next, which systemd sees by itself.
        }
    }

    /// <summary>
    /// Half the watchdog timeout systemd set, as sd_watchdog_enabled(3) reads it: none when
    /// <c>WATCHDOG_USEC</c> is missing or not a positive number, or when <c>WATCHDOG_PID</c> names
    /// another process (the watchdog is meant for it).
    /// </summary>
    internal static TimeSpan? WatchdogInterval(string? usec, string? pid, int ownPid)
    {
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(pid) && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var target) || target != ownPid))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds) / 2;
    }

    private void PingIfAlive()
    {
        var problems = liveness.Problems();
        if (problems.Count == 0)
        {
            Notify(Watchdog);
        }
        else
        {
            LogWithheld(logger, string.Join("; ", problems));
        }
    }

    private void Notify(ServiceState state)
    {
        try
        {
            notifier.Notify(state);
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            // Called from the shutdown sequence and the host's start: a notification must never break them.
            LogNotifyFailed(logger, state.ToString(), ex.GetType().Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog: WATCHDOG=1 every {Interval} while every loop makes progress")]
    private static partial void LogWatchdog(ILogger logger, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Error, Message = "systemd watchdog: WATCHDOG=1 withheld, the agent is not alive: {Problems}")]
    private static partial void LogWithheld(ILogger logger, string problems);

    [LoggerMessage(Level = LogLevel.Warning, Message = "systemd notification {State} failed ({ErrorType}: {Error})")]
    private static partial void LogNotifyFailed(ILogger logger, string state, string errorType, string error);
}
