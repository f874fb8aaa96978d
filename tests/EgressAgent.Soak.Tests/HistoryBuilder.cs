using EgressAgent.Emulator;
using EgressAgent.Soak.Checking;

namespace EgressAgent.Soak.Tests;

/// <summary>Writes a soak history by hand: agents (lives), hand-outs and result PUTs, as a real soak would record them.</summary>
internal sealed class HistoryBuilder
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<string, OperationSpec> _operations = new(StringComparer.Ordinal);
    private readonly List<HandedOutOperation> _handOuts = [];
    private readonly List<ObservedResult> _results = [];
    private readonly List<LifeRecord> _lives = [];
    private int _clock;

    public List<SecretFinding> Secrets { get; } = [];

    public List<DataDirectoryRemoval> Removals { get; } = [];

    public HashSet<string> CutResultAnswers { get; } = new(StringComparer.Ordinal);

    public List<MemoryReading> Memory { get; } = [];

    public int QueuedAtEnd { get; set; }

    public Dictionary<int, int> OutboxPendingAtEnd { get; } = [];

    /// <summary>A process of slot <paramref name="slot"/> with instance id <paramref name="instance"/>; by default stopped at the end of the soak as it should be.</summary>
    public HistoryBuilder Life(string instance, int slot = 0, LifeEnd end = LifeEnd.FinalStop, int? exitCode = 0, bool e4 = true, double? stopSeconds = 1.0, bool spoke = true)
    {
        _lives.Add(new LifeRecord(slot, 1000 + _lives.Count, instance, end, exitCode, stopSeconds, e4, spoke));
        return this;
    }

    /// <summary>Queues <paramref name="id"/> and hands it to <paramref name="instance"/>.</summary>
    public HistoryBuilder HandOut(string id, string instance, string? carriedBy = null, bool reachesAWorker = true)
    {
        _operations[id] = new OperationSpec(id, "echo", "trace-" + id, reachesAWorker);
        _handOuts.Add(new HandedOutOperation(id, instance, Now(), carriedBy is not null, carriedBy));
        return this;
    }

    /// <summary>A result PUT for <paramref name="id"/>, by default accepted, with the operation's trace id and body "a".</summary>
    public HistoryBuilder Result(string id, string instance, string body = "a", int status = 200, string? trace = null)
    {
        _results.Add(new ObservedResult(id, instance, status is >= 200 and < 300, body, trace ?? "trace-" + id, Now()));
        return this;
    }

    public SoakHistory Build() => new()
    {
        Operations = _operations,
        HandOuts = _handOuts,
        Results = _results,
        Lives = _lives,
        Removals = Removals,
        CutResultAnswers = CutResultAnswers,
        Secrets = Secrets,
        Memory = Memory,
        QueuedAtEnd = QueuedAtEnd,
        OutboxPendingAtEnd = OutboxPendingAtEnd,
    };

    public CheckReport Check() => InvariantChecker.Check(Build(), new SoakLimits(ShutdownBudgetSeconds: 5));

    public DateTimeOffset Now() => T0.AddSeconds(++_clock);
}
