using EgressAgent.Application.Execution;
using EgressAgent.Application.Orchestrator;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace EgressAgent.Application.Tests.Support;

/// <summary>The operation runner of the execution tests: the executors behind a router, as the host composes them.</summary>
internal static class TestRunners
{
    /// <summary>
    /// A runner over <paramref name="executors"/>. The orchestrator is a strict mock unless the test
    /// sets one up: the runner calls it only to download an operation too large to come inline.
    /// </summary>
    public static OperationRunner Over(IEnumerable<IOperationExecutor> executors, TimeProvider time, IOrchestratorApi? orchestrator = null) =>
        new(new OperationRouter(executors), orchestrator ?? new Mock<IOrchestratorApi>(MockBehavior.Strict).Object, time, NullLogger<OperationRunner>.Instance);
}
