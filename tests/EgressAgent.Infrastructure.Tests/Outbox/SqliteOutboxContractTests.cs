using EgressAgent.Application.Configuration;
using EgressAgent.Application.Ports;
using EgressAgent.Infrastructure.Outbox.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>The port's contract against the SQLite database (docs/adr/0045).</summary>
public sealed class SqliteOutboxContractTests : OutboxContractTests
{
    protected override IResultOutbox Open(TimeProvider time) =>
        new SqliteResultOutbox(Options.Create(new StorageOptions { DataDirectory = DataDirectory }), time, NullLogger<SqliteResultOutbox>.Instance);
}
