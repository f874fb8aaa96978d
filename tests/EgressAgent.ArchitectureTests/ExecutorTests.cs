using EgressAgent.Application.Execution;
using EgressAgent.ArchitectureTests.Support;
using NetArchTest.Rules;

namespace EgressAgent.ArchitectureTests;

/// <summary>Executors are found by scanning; nothing outside may construct or subclass them.</summary>
public sealed class ExecutorTests
{
    [Fact]
    public void Executors_are_sealed_and_not_public()
    {
        var executors = Selection.NonEmpty(
            Types.InAssemblies(ProductAssemblies.All).That().ImplementInterface(typeof(IOperationExecutor)).And().AreClasses(),
            "IOperationExecutor implementations");
        Selection.Holds(executors.Should().BeSealed().And().NotBePublic(), "Executors must be internal sealed");
    }
}
