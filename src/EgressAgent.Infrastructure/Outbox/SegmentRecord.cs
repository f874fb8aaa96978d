namespace EgressAgent.Infrastructure.Outbox;

/// <summary>
/// One result as a line of a segment: <c>{"operation_id":…,"created":…,"result":{…}}\n</c>, the
/// result's bytes contiguous and last so that publishing streams them straight from the file.
/// </summary>
internal sealed class SegmentRecord(byte[] line, int resultStart)
{
    /// <summary>The whole line, line feed included.</summary>
    public byte[] Line { get; } = line;

    /// <summary>The result's bytes: from its opening brace to its closing one (the record's own brace and line feed follow).</summary>
    public ReadOnlyMemory<byte> Result => Line.AsMemory(resultStart, Line.Length - 2 - resultStart);

    /// <summary>Where the result starts within <see cref="Line"/>.</summary>
    public int ResultStart => resultStart;

    /// <summary>Set once stored: the segment and the offset of the line in it.</summary>
    public Segment? Segment { get; set; }

    public long Offset { get; set; }
}
