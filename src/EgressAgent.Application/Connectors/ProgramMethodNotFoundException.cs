namespace EgressAgent.Application.Connectors;

/// <summary>A command named a method its target does not have: the error <c>Failed to resolve method &lt;name&gt;</c>.</summary>
public sealed class ProgramMethodNotFoundException : Exception
{
    public ProgramMethodNotFoundException(string method)
        : base($"Failed to resolve method {method}") => Method = method;

    public ProgramMethodNotFoundException()
        : this(string.Empty)
    {
    }

    public ProgramMethodNotFoundException(string message, Exception innerException)
        : base(message, innerException) => Method = string.Empty;

    public string Method { get; }
}
