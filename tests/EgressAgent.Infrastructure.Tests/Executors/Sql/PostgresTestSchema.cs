using EgressAgent.Tests.Shared;
using Npgsql;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>
/// A schema of its own on the test server (parallel runs never meet), holding <c>crew</c> and
/// <c>numbers</c> 1..1000, made through the admin connection and dropped at the end. The agent's
/// ordinary role may read and even write these tables, so a refused write is refused by the
/// read-only transaction, not by a missing grant. Queries reach it through <c>search_path</c>.
/// </summary>
internal sealed class PostgresTestSchema : IAsyncDisposable
{
    private readonly string _admin;

    private PostgresTestSchema(string admin, string reader, string schema)
    {
        _admin = admin;
        Name = schema;
        ConnectionString = new NpgsqlConnectionStringBuilder(reader) { SearchPath = schema }.ToString();
    }

    public string Name { get; }

    /// <summary>The ordinary role's connection string with this schema first on the search path.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresTestSchema> CreateAsync()
    {
        var admin = PostgresFactAttribute.AdminConnectionString ?? throw new InvalidOperationException($"{PostgresFactAttribute.AdminVariable} is not set.");
        var reader = PostgresFactAttribute.ConnectionString ?? throw new InvalidOperationException($"{PostgresFactAttribute.Variable} is not set.");
        var role = new NpgsqlConnectionStringBuilder(reader).Username ?? throw new InvalidOperationException($"{PostgresFactAttribute.Variable} names no user.");
        var schema = new PostgresTestSchema(admin, reader, $"egress_{Guid.NewGuid():N}");
        await schema.ExecuteAsync($"""
            create schema {schema.Name};
            set search_path to {schema.Name};
            create table crew (id int primary key, name text not null, salary numeric(10,2), joined date, seen timestamp, seen_tz timestamptz, badge bytea, tags text[]);
            insert into crew values
              (1, 'Ada', 1234.50, '2021-03-04', '2024-01-05 10:00:00', '2024-01-05 10:00:00+02', '\x0102ff', ARRAY['a','b']),
              (2, 'Grace', null, null, null, null, null, null);
            create table numbers as select g as n from generate_series(1, 1000) g;
            grant usage on schema {schema.Name} to "{role}";
            grant select, insert, update, delete, truncate on all tables in schema {schema.Name} to "{role}";
            """);
        return schema;
    }

    public async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {Name}.{table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync($"drop schema if exists {Name} cascade");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
