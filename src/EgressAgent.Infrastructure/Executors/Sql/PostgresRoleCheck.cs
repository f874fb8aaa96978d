using System.Data.Common;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// Refuses a PostgreSQL login that a read-only transaction cannot contain (docs/protocol.md §10): a
/// superuser (<c>COPY … TO PROGRAM</c>, <c>lo_export</c>, every function), or a member of
/// <c>pg_execute_server_program</c>, <c>pg_write_server_files</c> or <c>pg_read_server_files</c>.
/// Checked on every query, in the same round trip as <c>SET TRANSACTION</c>, so a grant made
/// later is seen at once and nothing is cached.
/// </summary>
internal static class PostgresRoleCheck
{
    public const string PrivilegedRole = "PrivilegedRole";

    private static readonly string[] ServerRoles = ["pg_execute_server_program", "pg_write_server_files", "pg_read_server_files"];

    /// <summary>
    /// One row per role the session can act as: the login (<c>session_user</c>, which
    /// <c>RESET ROLE</c> returns to) and the current one. <c>MEMBER</c> counts memberships
    /// direct or inherited, with or without <c>INHERIT</c>: <c>SET ROLE</c> reaches them all.
    /// Being able to become a superuser role counts as being one.
    /// </summary>
    public static readonly string Query =
        "SELECT r.rolname, "
        + "EXISTS (SELECT 1 FROM pg_roles s WHERE s.rolsuper AND pg_has_role(r.oid, s.oid, 'MEMBER')), "
        + string.Join(", ", ServerRoles.Select(role => $"pg_has_role(r.oid, '{role}', 'MEMBER')"))
        + " FROM pg_roles r WHERE r.rolname IN (session_user, current_user)";

    /// <summary>Reads the check's rows; throws <see cref="OperationFailedException"/> (<c>PrivilegedRole</c>) for the first privileged role.</summary>
    public static async Task ThrowIfPrivilegedAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            rows++;
            var role = reader.GetString(0);
            if (reader.GetBoolean(1))
            {
                throw Refused(role, "is a superuser or a member of a superuser role");
            }

            for (var i = 0; i < ServerRoles.Length; i++)
            {
                if (reader.GetBoolean(i + 2))
                {
                    throw Refused(role, $"is a member of {ServerRoles[i]}");
                }
            }
        }

        if (rows == 0)
        {
            // pg_roles always lists the session's own roles; a server that hides them cannot be vouched for.
            throw new OperationFailedException("The connection's role could not be checked: pg_roles does not list it", PrivilegedRole);
        }
    }

    private static OperationFailedException Refused(string role, string why) => new(
        $"Role \"{role}\" {why}, which a read-only transaction cannot contain (server programs and files); connect as a role without these privileges",
        PrivilegedRole);
}
