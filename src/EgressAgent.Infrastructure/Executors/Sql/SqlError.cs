namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>An error result's type and message, as the database said them.</summary>
internal sealed record SqlError(string Kind, string Message);
