using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.Soak.Checking;

namespace EgressAgent.Soak;

/// <summary>
/// Records, from the orchestrator's side, every hand-out and every result PUT as it happens (the
/// emulator's own lists are bounded; a long soak would outrun them). Each result body is scanned for
/// the soak's secrets on arrival and kept only as a hash.
/// </summary>
internal sealed class HistoryRecorder
{
    private readonly ConcurrentQueue<HandedOutOperation> _handOuts = new();
    private readonly ConcurrentQueue<ObservedResult> _results = new();
    private readonly ConcurrentQueue<SecretFinding> _secrets = new();
    private readonly SoakSecrets _known;

    public HistoryRecorder(OrchestratorEmulator emulator, SoakSecrets secrets)
    {
        _known = secrets;
        emulator.OperationHandedOut += _handOuts.Enqueue;
        emulator.ResultReceived += OnResult;
    }

    public IReadOnlyList<HandedOutOperation> HandOuts => [.. _handOuts];

    public IReadOnlyList<ObservedResult> Results => [.. _results];

    public IReadOnlyList<SecretFinding> Secrets => [.. _secrets];

    public int AcceptedCount => _results.Count(r => r.Accepted);

    private void OnResult(RecordedResult result)
    {
        var json = result.Result?.ToJsonString() ?? result.RawBody;
        foreach (var name in _known.NamesFoundIn(result.RawBody))
        {
            _secrets.Enqueue(new SecretFinding(name, $"the result of {result.OperationId}"));
        }

        var trace = result.Result?["__mcd_trace_id__"] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        _results.Enqueue(new ObservedResult(result.OperationId, result.InstanceId, result.Accepted, hash, trace, result.At));
    }
}
