using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>
/// A fresh schema on the real PostgreSQL server per test class, and an executor run against it;
/// nothing is created without a server (the tests are skipped then).
/// </summary>
public abstract class PostgresSchemaTests : IAsyncLifetime
{
    private PostgresTestSchema? _schema;
    private SqlRun? _sql;

    private protected PostgresTestSchema Schema => _schema ?? throw new InvalidOperationException("Not initialised.");

    private protected SqlRun Sql => _sql ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        if (!PostgresFactAttribute.Available)
        {
            return;
        }

        _schema = await PostgresTestSchema.CreateAsync();
        _sql = new SqlRun(("pg", "postgres", _schema.ConnectionString));
    }

    public async Task DisposeAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }
}
