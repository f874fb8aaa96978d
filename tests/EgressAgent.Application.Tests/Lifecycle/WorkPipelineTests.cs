using System.Text.Json.Nodes;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Results;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Tests.Lifecycle;

/// <summary>The pipeline's last step says what the process leaves behind, and only when it leaves something.</summary>
public sealed class WorkPipelineTests : IDisposable
{
    private readonly InMemoryOutbox _outbox = new(TimeProvider.System);
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ServiceProvider _services;

    public WorkPipelineTests()
    {
        _services = TestContainer.Services(services =>
        {
            services.AddSingleton<IResultOutbox>(_outbox);
            services.AddSingleton<ILoggerProvider>(_logs);
        }).Build();
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task A_flush_cut_short_names_the_results_left_on_disk_and_the_operations_left_unfinished()
    {
        await _outbox.AddAsync("op-stored", OperationResult.Success(JsonValue.Create(1), "t-stored"), CancellationToken.None);
        Assert.True(_services.GetRequiredService<WorkQueue>().InFlight.TryReserve()); // one operation still holds its slot

        await _services.GetRequiredService<IWorkPipeline>().FlushOutboxAsync(new CancellationToken(canceled: true));

        var left = Assert.Single(_logs.Records, r => r.Message.StartsWith("Stopped with work left", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, left.Level);
        Assert.Equal(1, left.Values["Undelivered"]);
        Assert.Equal(1, left.Values["Unfinished"]);
    }

    [Fact]
    public async Task A_stop_that_leaves_nothing_says_nothing_about_work_left()
    {
        await _services.GetRequiredService<IWorkPipeline>().FlushOutboxAsync(new CancellationToken(canceled: true));

        Assert.DoesNotContain(_logs.Records, r => r.Message.StartsWith("Stopped with work left", StringComparison.Ordinal));
    }
}
