using EgressAgent.Domain.Lifecycle;

namespace EgressAgent.Domain.Tests.Lifecycle;

public sealed class AgentStateNamesTests
{
    [Theory]
    [InlineData(AgentState.Running, "running")]
    [InlineData(AgentState.Draining, "draining")]
    [InlineData(AgentState.Stopping, "stopping")]
    [InlineData(AgentState.Stopped, "stopping")]
    public void ToWire_uses_the_health_names(AgentState state, string expected)
    {
        Assert.Equal(expected, state.ToWire());
    }
}
