using System.Net;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>
/// What the header handler notes about each request: rejected credentials (for the exit after
/// AuthFailureExitAfter, §4) and the last REST request (the orchestrator's idea of alive, §6.2).
/// </summary>
public sealed class RequestBookkeepingTests
{
    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task A_rejected_credential_is_recorded_and_a_later_accepted_request_clears_it(HttpStatusCode rejected)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(rejected);

        await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.HeartbeatAsync(CancellationToken.None));
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.HeartbeatAsync(CancellationToken.None));

        // Since the first of an unbroken run of rejections.
        Assert.Equal(TimeSpan.FromMinutes(1), harness.Rejections.RejectedDuration);

        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.OK);
        await harness.Api.HeartbeatAsync(CancellationToken.None);

        Assert.Null(harness.Rejections.RejectedDuration);
    }

    [Fact]
    public async Task A_non_credential_error_clears_a_rejection_too()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.Unauthorized);
        await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.HeartbeatAsync(CancellationToken.None));

        // A 503 is not a rejection of the credential: the process must not exit 3 on an outage.
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.HeartbeatAsync(CancellationToken.None));

        Assert.Null(harness.Rejections.RejectedDuration);
    }

    [Fact]
    public async Task A_stream_connect_rejected_with_401_is_recorded()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.Unauthorized);

        await harness.FirstStreamRequestAsync();

        Assert.Equal(TimeSpan.Zero, harness.Rejections.RejectedDuration);
    }

    [Fact]
    public async Task REST_requests_touch_the_request_activity_and_the_stream_request_does_not()
    {
        await using var harness = new ApiHarness();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.Api.HeartbeatAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.Zero, harness.Activity.SinceLastRequest);

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.FirstStreamRequestAsync();

        Assert.Equal(TimeSpan.FromMinutes(1), harness.Activity.SinceLastRequest);
    }

    [Fact]
    public async Task A_REST_request_that_fails_still_counts_as_activity()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.InternalServerError);
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.FetchOperationAsync(CancellationToken.None));

        Assert.Equal(TimeSpan.Zero, harness.Activity.SinceLastRequest);
    }

    [Theory]
    [InlineData(HttpStatusCode.NoContent)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Any_answer_of_any_status_is_noted_as_the_orchestrators_last_answer_and_the_stream_connect_counts(HttpStatusCode status)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(status);
        Assert.Null(harness.Activity.SinceLastAnswer); // before the first answer: /readyz is not ready yet

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        try
        {
            await harness.Api.FetchOperationAsync(CancellationToken.None);
        }
        catch (HttpRequestException)
        {
            // The status is an error for E1; the orchestrator answered all the same.
        }

        Assert.Equal(TimeSpan.Zero, harness.Activity.SinceLastAnswer);

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.FirstStreamRequestAsync();
        Assert.Equal(TimeSpan.Zero, harness.Activity.SinceLastAnswer);
    }

    [Fact]
    public async Task A_request_that_gets_no_answer_is_not_an_answer()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => throw new HttpRequestException("connection refused");

        await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.HeartbeatAsync(CancellationToken.None));

        Assert.Null(harness.Activity.SinceLastAnswer);
    }
}
