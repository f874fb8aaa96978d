using System.Data.Common;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors.Sql;
using EgressAgent.Infrastructure.Executors.Sql;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// <c>postgres</c> (docs/protocol.md §12.4): Npgsql, port 5432. Besides the read-only transaction,
/// every session first refuses a role that a read-only transaction cannot contain — a superuser or
/// a member of the <c>pg_*_server_*</c> roles (<see cref="PostgresRoleCheck"/>, docs/adr/0019) — in
/// the same round trip as the set-up. That check stays when <c>Connectors:postgres:ReadOnly=false</c>:
/// lifting read-only lets the role write, not run programs or touch the server's files.
/// </summary>
internal sealed class PostgresConnectionType : NpgsqlConnectionType
{
    public override IReadOnlyList<string> Names { get; } = ["postgres"];

    protected override int DefaultPort => 5432;

    protected override string? RoleCheckQuery(ConnectionRequest request) => PostgresRoleCheck.Query;

    protected override Task ThrowIfPrivilegedAsync(DbDataReader reader, CancellationToken cancellationToken) =>
        PostgresRoleCheck.ThrowIfPrivilegedAsync(reader, cancellationToken);
}
