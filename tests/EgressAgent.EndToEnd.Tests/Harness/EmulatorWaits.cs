using System.Text.Json.Nodes;
using EgressAgent.Emulator;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>Waits on the emulator's recordings that several end-to-end tests share; every wait is bounded.</summary>
internal static class EmulatorWaits
{
    public const string EchoPath = "/api/v1/agent/execute/builtin/echo";
    public const string OperationPath = "/api/v1/agent/operation";
    public const string StreamPath = "/stream";

    /// <summary>
    /// Completes with the <paramref name="count"/>-th request matching <paramref name="predicate"/>.
    /// The recorder evaluates a waiter's predicate once per request, under its lock, so counting inside it is safe.
    /// </summary>
    public static Task<RecordedRequest> WaitForNthRequestAsync(
        this OrchestratorEmulator emulator, Func<RecordedRequest, bool> predicate, int count, TimeSpan timeout)
    {
        var seen = 0;
        return emulator.WaitForRequestAsync(r => predicate(r) && ++seen >= count, timeout);
    }

    /// <summary>Completes with the first accepted (2xx) result PUT for <paramref name="operationId"/>.</summary>
    public static async Task<RecordedResult> WaitForAcceptedResultAsync(this OrchestratorEmulator emulator, string operationId, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<RecordedResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnResult(RecordedResult result)
        {
            if (result.Accepted && result.OperationId == operationId)
            {
                found.TrySetResult(result);
            }
        }

        emulator.ResultReceived += OnResult;
        try
        {
            // Subscribed first, then the recordings: a result arriving in between is seen either way.
            if (emulator.Results.FirstOrDefault(r => r.Accepted && r.OperationId == operationId) is { } already)
            {
                return already;
            }

            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            var seen = string.Join(", ", emulator.Results.Select(r => $"{r.OperationId}→{r.StatusCode}"));
            throw new TimeoutException($"No accepted result for {operationId} within {timeout}; results so far: [{seen}].");
        }
        finally
        {
            emulator.ResultReceived -= OnResult;
        }
    }

    /// <summary>Queues an echo operation, wakes the agent through the stream and waits for its accepted result.</summary>
    public static async Task<RecordedResult> RunEchoThroughStreamAsync(this OrchestratorEmulator emulator, string traceId, TimeSpan timeout)
    {
        var id = emulator.Enqueue(EchoPath, new JsonObject { ["trace_id"] = traceId });
        emulator.SendEvent(new { type = "work_available" });
        return await emulator.WaitForAcceptedResultAsync(id, timeout);
    }

    /// <summary>Ends the agent the orchestrator's way and returns its exit code.</summary>
    public static async Task<int> SayGoodbyeAsync(this OrchestratorEmulator emulator, AgentProcess agent, TimeSpan timeout)
    {
        // goodbye reaches open streams only: an agent that published its stored results before its
        // stream opened (the native agent does, quickly) would never hear one sent earlier.
        await emulator.WaitForRequestAsync(r => r.Path == StreamPath && r.StatusCode == 200, timeout);
        emulator.SendEvent(new { type = "goodbye", reason = "test finished" });
        return await agent.WaitForExitAsync(timeout);
    }

    public static int CountRequests(this OrchestratorEmulator emulator, string path) =>
        emulator.Requests.Count(r => r.Path == path);
}
