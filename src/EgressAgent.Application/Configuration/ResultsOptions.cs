namespace EgressAgent.Application.Configuration;

/// <summary><c>EgressAgent:Results</c>.</summary>
public sealed class ResultsOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Results";

    /// <summary>The append-only segment log and files of docs/adr/0032.</summary>
    public const string SegmentStore = "segments";

    /// <summary>One SQLite database in WAL mode (docs/adr/0045).</summary>
    public const string SqliteStore = "sqlite";

    static string IAgentOptionsSection.SectionName => SectionName;

    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Which outbox stores results: <see cref="SegmentStore"/> or <see cref="SqliteStore"/>; kept while both are measured (docs/adr/0045).</summary>
    public string Store { get; set; } = SegmentStore;
}
