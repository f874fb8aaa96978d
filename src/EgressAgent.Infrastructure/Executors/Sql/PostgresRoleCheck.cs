using System.Data.Common;
using System.Globalization;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// Refuses a PostgreSQL login that a read-only transaction cannot contain (docs/protocol.md §10,
/// docs/adr/0019): a superuser (<c>COPY … TO PROGRAM</c>, <c>lo_export</c>, every function), a
/// member of <c>pg_execute_server_program</c>, <c>pg_write_server_files</c>,
/// <c>pg_read_server_files</c> or <c>pg_signal_backend</c>, and — for a read-only session — a role
/// that may execute a function that reaches outside the transaction: <c>dblink*</c> and
/// <c>postgres_fdw</c> ones (where those extensions are installed), the server-side large-object
/// functions <c>lo_import</c>/<c>lo_export</c> and the server-file functions <c>pg_read_file</c>,
/// <c>pg_read_binary_file</c> and <c>pg_ls_dir</c>. Checked on every query, in the same round trip
/// as <c>SET TRANSACTION</c>, so a grant made later is seen at once and nothing is cached.
/// </summary>
internal static class PostgresRoleCheck
{
    public const string PrivilegedRole = "PrivilegedRole";

    private static readonly string[] RefusedRoles = ["pg_execute_server_program", "pg_write_server_files", "pg_read_server_files", "pg_signal_backend"];

    /// <summary>
    /// The functions checked, by catalogue: the built-in ones in <c>pg_catalog</c> by name, and every
    /// function named <c>dblink*</c> or <c>postgres_fdw*</c> or belonging to those extensions, in
    /// whatever schema they were installed (none when they are not).
    /// </summary>
    private const string RefusedFunctions =
        "SELECT p.oid, p.pronamespace::regnamespace::text || '.' || p.proname AS name FROM pg_proc p "
        + "WHERE (p.pronamespace = 'pg_catalog'::regnamespace AND p.proname IN ('lo_import', 'lo_export', 'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir')) "
        + "OR p.proname LIKE 'dblink%' OR p.proname LIKE 'postgres\\_fdw%' "
        + "OR p.oid IN (SELECT d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid "
        + "WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname IN ('dblink', 'postgres_fdw'))";

    /// <summary>
    /// The check with the functions: for <c>sql/query</c> always, for the <c>postgres</c> connection
    /// type unless <c>Connectors:postgres:ReadOnly=false</c>.
    /// </summary>
    public static readonly string Query = QueryOf(checkFunctions: true);

    /// <summary>The check of the roles only (superuser and the <c>pg_*</c> roles): a session that may write.</summary>
    public static readonly string RolesQuery = QueryOf(checkFunctions: false);

    /// <summary>
    /// One row per role the session can act as: the login (<c>session_user</c>, which
    /// <c>RESET ROLE</c> returns to) and the current one. <c>MEMBER</c> counts memberships
    /// direct or inherited, with or without <c>INHERIT</c>: <c>SET ROLE</c> reaches them all.
    /// Being able to become a superuser role counts as being one; likewise a function counts when
    /// any role the session can become (or <c>PUBLIC</c>) may execute it. The last two columns are
    /// the first such function's name and how many there are.
    /// </summary>
    private static string QueryOf(bool checkFunctions) =>
        "SELECT r.rolname, "
        + "EXISTS (SELECT 1 FROM pg_roles s WHERE s.rolsuper AND pg_has_role(r.oid, s.oid, 'MEMBER')), "
        + string.Join(", ", RefusedRoles.Select(role => $"pg_has_role(r.oid, '{role}', 'MEMBER')"))
        + (checkFunctions
            ? ", f.first, f.n FROM pg_roles r CROSS JOIN LATERAL (SELECT min(x.name) AS first, count(DISTINCT x.name) AS n "
                + $"FROM ({RefusedFunctions}) x WHERE EXISTS (SELECT 1 FROM pg_roles m "
                + "WHERE pg_has_role(r.oid, m.oid, 'MEMBER') AND has_function_privilege(m.oid, x.oid, 'EXECUTE'))) f"
            : ", NULL::text, 0::bigint FROM pg_roles r")
        + " WHERE r.rolname IN (session_user, current_user)";

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
                throw Refused(role, "is a superuser or a member of a superuser role", "server programs and files");
            }

            for (var i = 0; i < RefusedRoles.Length; i++)
            {
                if (reader.GetBoolean(i + 2))
                {
                    throw Refused(role, $"is a member of {RefusedRoles[i]}", RefusedRoles[i] == "pg_signal_backend" ? "signals to other sessions" : "server programs and files");
                }
            }

            var function = RefusedRoles.Length + 2;
            if (!reader.IsDBNull(function))
            {
                var more = reader.GetInt64(function + 1) - 1;
                var name = reader.GetString(function);
                throw Refused(
                    role,
                    more > 0 ? string.Create(CultureInfo.InvariantCulture, $"may execute {name} (and {more} more)") : $"may execute {name}",
                    "server files, large objects, connections to other servers");
            }
        }

        if (rows == 0)
        {
            // pg_roles always lists the session's own roles; a server that hides them cannot be vouched for.
            throw new OperationFailedException("The connection's role could not be checked: pg_roles does not list it", PrivilegedRole);
        }
    }

    private static OperationFailedException Refused(string role, string why, string what) => new(
        $"Role \"{role}\" {why}, which a read-only transaction cannot contain ({what}); connect as a role without these privileges",
        PrivilegedRole);
}
