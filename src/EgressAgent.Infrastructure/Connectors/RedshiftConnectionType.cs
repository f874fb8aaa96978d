using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors.Sql;
using Npgsql;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// <c>redshift</c> (docs/protocol.md §12.4): Npgsql without type loading from
/// <c>pg_type</c> (Redshift cannot answer Npgsql's query), no <c>DISCARD ALL</c> when a connection returns to the pool, which
/// Redshift lacks), port 5439, <c>connect_timeout</c> 30 s by default and
/// <c>query_timeout_in_seconds</c> as the bound on each statement. Read-only is Redshift's
/// <c>READ ONLY</c> transaction with <c>statement_timeout</c>; Redshift has no
/// <c>pg_*_server_*</c> roles nor server programs, so there is no role check.
/// </summary>
internal sealed class RedshiftConnectionType : NpgsqlConnectionType
{
    public override IReadOnlyList<string> Names { get; } = ["redshift"];

    protected override int DefaultPort => 5439;

    protected override TimeSpan DefaultConnectTimeout => TimeSpan.FromSeconds(30);

    public override TimeSpan? QueryTimeout(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var seconds = CredentialValues.ConnectArgs(request).Seconds("query_timeout_in_seconds", 1, int.MaxValue / 1000);
        return seconds is { } s ? TimeSpan.FromSeconds(Math.Ceiling(s)) : null;
    }

    protected override void Configure(NpgsqlDataSourceBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConnectionStringBuilder.NoResetOnClose = true; // Redshift has no DISCARD ALL
        builder.ConfigureTypeLoading(loading => loading.EnableTypeLoading(false)); // its pg_type query fails on Redshift; built-in types suffice
    }
}
