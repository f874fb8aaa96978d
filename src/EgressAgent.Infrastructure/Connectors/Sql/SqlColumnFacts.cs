namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>The DB-API description facts of a column beyond its name and type code; null where unknown.</summary>
internal sealed record SqlColumnFacts(int? DisplaySize, int? InternalSize, int? Precision, int? Scale, bool? NullOk)
{
    public static readonly SqlColumnFacts Unknown = new(null, null, null, null, null);
}
