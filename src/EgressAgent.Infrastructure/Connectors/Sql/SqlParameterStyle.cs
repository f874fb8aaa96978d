namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>The DB-API <c>paramstyle</c> of a connection type (docs/protocol.md §12.2).</summary>
internal enum SqlParameterStyle
{
    /// <summary><c>%s</c> for a list, <c>%(name)s</c> for an object, <c>%%</c> a literal <c>%</c> when parameters are given (postgres, redshift, mysql, clickhouse).</summary>
    Format,

    /// <summary><c>?</c> for a list (sql-server, duckdb, sqlite).</summary>
    QuestionMark,
}
