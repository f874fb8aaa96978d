namespace EgressAgent.Application.Connectors;

/// <summary>One named database connection, <c>EgressAgent:Connections:&lt;name&gt;</c>.</summary>
public sealed class ConnectionOptions
{
    public string? Provider { get; set; }
    public string? ConnectionString { get; set; }
}
