using System.Data.Common;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors.Sql;
using EgressAgent.Infrastructure.Executors.Sql;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// <c>postgres</c> (docs/protocol.md §12.4): Npgsql, port 5432. Besides the read-only transaction,
/// every session first refuses a role that a read-only transaction cannot contain — a superuser, a
/// member of the <c>pg_*_server_*</c> roles or of <c>pg_signal_backend</c>, or one that may execute the
/// <c>dblink*</c>, <c>postgres_fdw</c>, large-object or server-file functions
/// (<see cref="PostgresRoleCheck"/>, docs/adr/0019) — in the same round trip as the set-up. With
/// <c>Connectors:postgres:ReadOnly=false</c> the roles are still refused, the functions no longer:
/// lifting read-only lets the role write (and so reach what those functions reach by its own
/// grants), not run programs, touch the server's files through the roles or signal other sessions.
/// </summary>
internal sealed class PostgresConnectionType : NpgsqlConnectionType
{
    public override IReadOnlyList<string> Names { get; } = ["postgres"];

    protected override int DefaultPort => 5432;

    protected override string? RoleCheckQuery(ConnectionRequest request) => request.ReadOnly ? PostgresRoleCheck.Query : PostgresRoleCheck.RolesQuery;

    protected override Task ThrowIfPrivilegedAsync(DbDataReader reader, CancellationToken cancellationToken) =>
        PostgresRoleCheck.ThrowIfPrivilegedAsync(reader, cancellationToken);
}
