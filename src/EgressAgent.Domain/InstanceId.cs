namespace EgressAgent.Domain;

/// <summary>One UUID per agent process, sent on every request and on the stream (docs/protocol.md §2).</summary>
public sealed record InstanceId(Guid Value)
{
    public static InstanceId New() => new(Guid.NewGuid());

    public override string ToString() => Value.ToString("D");
}
