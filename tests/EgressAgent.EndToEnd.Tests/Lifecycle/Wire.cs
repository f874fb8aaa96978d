using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>The contract's paths (§3, §5.2) and the recorded traffic the lifecycle tests look for.</summary>
internal static class Wire
{
    public const string Stream = "/stream";
    public const string Sleep = "/api/v1/agent/execute/builtin/sleep";
    public const string Echo = "/api/v1/agent/execute/builtin/echo";

    public static JsonObject SleepFor(TimeSpan duration) =>
        new() { ["duration_ms"] = (int)duration.TotalMilliseconds };

    /// <summary>E1.</summary>
    public static bool IsFetch(RecordedRequest request) =>
        request.Method == "GET" && request.Path == "/api/v1/agent/operation";

    /// <summary>E2 for <paramref name="operationId"/>.</summary>
    public static bool IsResultOf(RecordedRequest request, string operationId) =>
        request.Method == "PUT" && request.Path == $"/api/v1/agent/operations/{operationId}/result";

    /// <summary>E3.</summary>
    public static bool IsHeartbeat(RecordedRequest request) =>
        request.Method == "POST" && request.Path == "/api/v1/agent/heartbeat";

    /// <summary>E4.</summary>
    public static bool IsShutdownNotice(RecordedRequest request) =>
        request.Method == "POST" && request.Path == "/api/v1/agent/shutdown";

    /// <summary>E5 for <paramref name="operationId"/>.</summary>
    public static bool IsDownloadOf(RecordedRequest request, string operationId) =>
        request.Method == "GET" && request.Path == $"/api/v1/agent/operations/{operationId}/request";

    public static string Describe(IEnumerable<RecordedRequest> requests) =>
        string.Join("; ", requests.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.At:HH:mm:ss.fff} {r.Method} {r.Path} → {r.StatusCode}")));
}
