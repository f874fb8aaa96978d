using EgressAgent.Application.Configuration;
using EgressAgent.Application.Ports;
using EgressAgent.Infrastructure.Outbox.Sqlite;
using EgressAgent.Infrastructure.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>The port's contract against the SQLite database (docs/adr/0045).</summary>
public sealed class SqliteOutboxContractTests : OutboxContractTests
{
    private protected override IResultOutbox Open(TimeProvider time, DataDirectoryLock? held) =>
        new SqliteResultOutbox(Options.Create(new StorageOptions { DataDirectory = DataDirectory }), time, NullLogger<SqliteResultOutbox>.Instance, held);
}
