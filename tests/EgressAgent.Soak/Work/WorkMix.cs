using System.Globalization;
using System.Text.Json.Nodes;

namespace EgressAgent.Soak.Work;

/// <summary>The seeded mix of work: what kinds, how often, with which secrets in their credentials.</summary>
internal sealed class WorkMix
{
    private const string Execute = "/api/v1/agent/execute/";
    private readonly Random _random;
    private readonly List<(int Weight, Func<WorkItem> Make)> _kinds = [];
    private readonly int _total;

    public WorkMix(Random random, DataSources sources, SoakSecrets secrets)
    {
        _random = random;
        Add(25, () => new("echo", Execute + "builtin/echo", t => new JsonObject { ["trace_id"] = t, ["n"] = _random.Next(), ["text"] = Text(64) }));
        Add(25, () =>
        {
            var ms = _random.Next(10, 1500);
            return new("sleep", Execute + "builtin/sleep", t => new JsonObject { ["trace_id"] = t, ["duration_ms"] = ms });
        });
        Add(4, () => new("fail", Execute + "builtin/fail", t => new JsonObject { ["trace_id"] = t, ["message"] = "soak failure" }));
        Add(3, () => new("health", "/api/v1/test/health", t => new JsonObject { ["trace_id"] = t }));
        Add(2, () => new("big-echo", Execute + "builtin/echo", t => new JsonObject { ["trace_id"] = t, ["text"] = Text(150_000) }));
        Add(2, () => new("bad-number", Execute + "builtin/sleep", t => new JsonObject { ["trace_id"] = t, ["duration_ms"] = "soon" }));
        Add(5, () => new("oversized", Execute + "builtin/echo", t => new JsonObject { ["trace_id"] = t, ["text"] = Text(2048) }) { Oversized = true });
        Add(1, () => new("no-path", "", _ => []) { RawEnvelope = (id, t) => $$$"""{"operation_id":"{{{id}}}","operation":{"trace_id":"{{{t}}}"}}""", ReachesAWorker = false });
        Add(1, () => new("surrogate", Execute + "builtin/echo", _ => [])
        {
            RawEnvelope = (id, _) => $$$"""{"operation_id":"{{{id}}}","path":"{{{Execute}}}builtin/echo","operation":{"trace_id":"\ud800{{{id}}}","x":"\udfff"}}""",
            TraceCompared = false,
        });
        Add(8, () => new("sqlite", Execute + "sqlite/soak_items", t => Program(t, "SELECT id, name, amount FROM items WHERE id > ? ORDER BY id LIMIT 20", _random.Next(0, DataSources.SqliteRows)))
        {
            Credentials = new JsonObject { ["connect_args"] = new JsonObject { ["database"] = sources.SqliteFile, ["password"] = secrets.ConnectorPassword } },
        });
        Add(5, () => new("sql-query-sqlite", Execute + "sql/query", t => new JsonObject
        {
            ["trace_id"] = t, ["connection"] = SoakAgentSettings.SqliteConnection, ["query"] = "SELECT count(*) AS n, sum(amount) AS total FROM items",
        }));
        if (sources.Postgres is { } pg)
        {
            var connectArgs = new JsonObject
            {
                ["host"] = pg.Host, ["port"] = pg.Port, ["dbname"] = pg.Database, ["user"] = pg.Username,
                ["password"] = secrets.ConnectorPassword, ["sslmode"] = "disable",
            };
            Add(6, () => new("postgres", Execute + "postgres/soak_now", t => Program(t, "SELECT %s::int AS n, now() AS at, 10.50::numeric AS amount", _random.Next(1000)))
            {
                Credentials = new JsonObject { ["connect_args"] = connectArgs.DeepClone() },
            });

            // Nothing listens on port 1: a ConnectionError whose text must not carry the password (§12.1).
            var refused = (JsonObject)connectArgs.DeepClone();
            refused["port"] = 1;
            Add(2, () => new("postgres-refused", Execute + "postgres/soak_refused", t => Program(t, "SELECT 1", 0))
            {
                Credentials = new JsonObject { ["connect_args"] = refused.DeepClone() },
            });
            Add(4, () => new("sql-query-postgres", Execute + "sql/query", t => new JsonObject
            {
                ["trace_id"] = t, ["connection"] = SoakAgentSettings.PostgresConnection, ["query"] = "SELECT 1 AS one, 'soak' AS word",
            }));
        }

        if (sources.MariaDb is { } my)
        {
            var connectArgs = new JsonObject
            {
                ["host"] = my.Server, ["port"] = (int)my.Port, ["user"] = my.UserID, ["password"] = my.Password, ["database"] = my.Database,
            };
            Add(4, () => new("mariadb", Execute + "mysql/soak_one", t => Program(t, "SELECT %s AS n, 'soak' AS word", _random.Next(1000)))
            {
                Credentials = new JsonObject { ["connect_args"] = connectArgs.DeepClone() },
            });
        }

        _total = _kinds.Sum(k => k.Weight);
    }

    /// <summary>The kinds in the mix, for the summary.</summary>
    public int KindCount => _kinds.Count;

    public WorkItem Next()
    {
        var pick = _random.Next(_total);
        foreach (var (weight, make) in _kinds)
        {
            if (pick < weight)
            {
                return make();
            }

            pick -= weight;
        }

        throw new InvalidOperationException("unreachable: the weights add up to the total");
    }

    /// <summary>The commands program every SQL monitor sends (§12.2), one positional parameter.</summary>
    private static JsonObject Program(string trace, string sql, int parameter) => new()
    {
        ["trace_id"] = trace,
        ["timeout"] = 20,
        ["commands"] = new JsonArray(
            new JsonObject { ["method"] = "cursor", ["store"] = "_cursor" },
            new JsonObject { ["target"] = "_cursor", ["method"] = "execute", ["args"] = new JsonArray(sql, new JsonArray(parameter)) },
            new JsonObject
            {
                ["target"] = "__utils",
                ["method"] = "build_dict",
                ["kwargs"] = new JsonObject
                {
                    ["all_results"] = new JsonObject { ["__type__"] = "call", ["target"] = "_cursor", ["method"] = "fetchall" },
                    ["description"] = new JsonObject { ["__type__"] = "call", ["target"] = "_cursor", ["method"] = "description" },
                },
            }),
    };

    private void Add(int weight, Func<WorkItem> make) => _kinds.Add((weight, make));

    private string Text(int length) =>
        string.Create(length, _random.Next(), static (span, seed) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (((seed % 26) + (i % 26 * 7)) % 26));
            }
        }) + _random.Next().ToString(CultureInfo.InvariantCulture);
}
