namespace EgressAgent.Application.ResultStorage;

/// <summary>The object store configured under <c>EgressAgent:Results:Storage</c>, or none (docs/protocol.md §13).</summary>
public interface IObjectStoreSource
{
    /// <summary>The store, created on first use; null when no provider is configured.</summary>
    IObjectStore? Store { get; }
}
