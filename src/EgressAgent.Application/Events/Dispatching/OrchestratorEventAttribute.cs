namespace EgressAgent.Application.Events.Dispatching;

/// <summary>The wire name in the JSON <c>type</c> field that selects this event record.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OrchestratorEventAttribute(string type) : Attribute
{
    public string Type { get; } = type;
}
