using EgressAgent.Application.Results;
using EgressAgent.Infrastructure.Outbox;
using EgressAgent.Infrastructure.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Tests.Outbox;

/// <summary>The port's contract against the segment log and files (docs/adr/0032).</summary>
public sealed class SegmentOutboxContractTests : OutboxContractTests
{
    private protected override IResultOutbox Open(TimeProvider time, DataDirectoryLock? held) =>
        new FileResultOutbox(Options.Create(new StorageOptions { DataDirectory = DataDirectory }), time, NullLogger<FileResultOutbox>.Instance, held);
}
