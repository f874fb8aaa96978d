using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Application.Results;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Capacity;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace EgressAgent.Application.Tests.ResultStorage;

/// <summary>
/// The upload is part of publishing (docs/protocol.md §13, §6.4): a result whose upload fails stays
/// stored, nothing is published for it, and the upload is retried after its backoff; once the object
/// is complete its location is published, and a retried E2 sends the same location without
/// uploading again. Other results are not held up meanwhile, and health says why it waits.
/// </summary>
public sealed class OffloadPublishingTests : IAsyncDisposable
{
    private static readonly Uri Signed = new("https://bucket.example/mcd/responses/t-big?X-Amz-Signature=sig");
    private readonly TrackingTimeProvider _time = new();
    private readonly InMemoryOutbox _outbox;
    private readonly Mock<IOrchestratorApi> _orchestrator = new(MockBehavior.Strict);
    private readonly Mock<IObjectStore> _store = new(MockBehavior.Strict);
    private readonly List<(string OperationId, string Body)> _published = [];
    private readonly Queue<PublishOutcome> _answers = new();
    private readonly PipelineTokens _tokens = new();
    private readonly AgentCounters _counters = new();
    private readonly RecordingLogger<ResultPublisher> _log = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly UploadHealth _uploadHealth = new();
    private readonly StorageHealth _storageHealth;
    private int _uploads;
    private int _uploadFailuresLeft;
    private Task? _run;

    public OffloadPublishingTests()
    {
        _outbox = new InMemoryOutbox(_time);
        _storageHealth = new StorageHealth(_time, _uploadHealth);
        _orchestrator
            .Setup(o => o.PublishResultAsync(It.IsAny<string>(), It.IsAny<IResultBody>(), It.IsAny<CancellationToken>()))
            .Returns(async (string operationId, IResultBody body, CancellationToken token) =>
            {
                using var copy = new MemoryStream();
                await body.CopyToAsync(copy, token);
                lock (_published)
                {
                    _published.Add((operationId, Encoding.UTF8.GetString(copy.ToArray())));
                    return _answers.TryDequeue(out var answer) ? answer : PublishOutcome.Delivered(200, null);
                }
            });
        _store.SetupGet(s => s.Provider).Returns("S3Compatible");
        _store.Setup(s => s.UploadAsync("responses/t-big", It.IsAny<Stream>(), "application/json", It.IsAny<CancellationToken>()))
            .Returns(async (string _, Stream content, string _, CancellationToken token) =>
            {
                Interlocked.Increment(ref _uploads);
                if (Interlocked.Decrement(ref _uploadFailuresLeft) >= 0)
                {
                    throw new ObjectStoreException("S3Compatible PUT failed: ServiceUnavailable");
                }

                await content.CopyToAsync(Stream.Null, token);
                return 1L;
            });
        _store.Setup(s => s.PresignGetAsync("responses/t-big", It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync(Signed);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.CompletesAsync();
        }

        _stop.Dispose();
        _tokens.Dispose();
    }

    [Fact]
    public async Task A_failed_upload_publishes_nothing_and_is_retried_after_its_backoff_while_other_results_go_out()
    {
        _uploadFailuresLeft = 1;
        await AddLargeAsync();
        await _outbox.AddAsync("op-small", OperationResult.Success(JsonValue.Create(1), "t-small"), CancellationToken.None);

        Start();
        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-small") == 1, "the small result is delivered while the upload waits");
        Assert.Equal(TimeSpan.FromMilliseconds(500), await _time.WaitForPendingTimerAsync()); // the upload's backoff
        Assert.Equal(1, Volatile.Read(ref _uploads));
        Assert.DoesNotContain(Published(), p => p.OperationId == "op-big");
        Assert.True(_log.Logged(LogLevel.Warning, "could not be uploaded to object storage"));
        Assert.Single(_outbox.PendingOf("op-big"));
        Assert.Equal("results cannot be uploaded to object storage (1 waiting; S3Compatible PUT failed: ServiceUnavailable)", _storageHealth.DegradedReason);
        Assert.False(_storageHealth.IsDegraded); // said in health and /readyz, but intake goes on: the result is stored

        _time.Advance(TimeSpan.FromMilliseconds(500));
        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-big") == 1, "the location is delivered after the second upload");
        var location = JsonNode.Parse(Assert.Single(Published(), p => p.OperationId == "op-big").Body)!;
        Assert.Equal(Signed.AbsoluteUri, location["__mcd_result_location__"]!.GetValue<string>());
        Assert.Equal(2, Volatile.Read(ref _uploads));
        Assert.Equal((1, 1), (_counters.UploadsCompleted, _counters.UploadsFailed));
        Assert.Null(_storageHealth.DegradedReason);
    }

    [Fact]
    public async Task A_location_refused_for_a_while_is_sent_again_without_uploading_again()
    {
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503));
        await AddLargeAsync();

        Start();
        Assert.Equal(TimeSpan.FromMilliseconds(500), await _time.WaitForPendingTimerAsync());
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-big") == 1, "the location is delivered on the second E2");

        var sent = Published().Where(p => p.OperationId == "op-big").Select(p => p.Body).ToList();
        Assert.Equal(2, sent.Count);
        Assert.Equal(sent[0], sent[1]);
        Assert.Equal(1, Volatile.Read(ref _uploads));
    }

    private Task AddLargeAsync() => _outbox.AddAsync(
        "op-big",
        OperationResult.Success(new JsonObject { ["filler"] = new string('x', 500) }, "t-big") with { Delivery = new ResultDelivery("t-big") { SizeLimit = 100 } },
        CancellationToken.None);

    private List<(string OperationId, string Body)> Published()
    {
        lock (_published)
        {
            return [.. _published];
        }
    }

    private void Start()
    {
        var source = new Mock<IObjectStoreSource>();
        source.SetupGet(s => s.Store).Returns(_store.Object);
        var publisher = new ResultPublisher(
            _outbox,
            _orchestrator.Object,
            new AssignedWorkIntake(new WorkQueue(new InFlightCounter(2)), _tokens, NullLogger<AssignedWorkIntake>.Instance),
            _tokens,
            _counters,
            TestOptions.Create<ResultsOptions>(),
            TestOptions.Create<EndpointTimeoutOptions>(),
            _time,
            _log,
            outgoing: new OutgoingResults(TestOptions.Create<ResultStorageOptions>(), NullLogger<OutgoingResults>.Instance, source.Object, _uploadHealth))
        {
            Random = () => 0.5,
        };
        _run = Task.Run(() => publisher.RunAsync(_stop.Token));
    }
}
