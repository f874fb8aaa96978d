namespace EgressAgent.Application.Execution;

/// <summary>An expected failure: becomes an error result with <see cref="Kind"/> as its type.</summary>
public sealed class OperationFailedException : Exception
{
    public OperationFailedException(string message, string kind)
        : base(message) => Kind = kind;

    public OperationFailedException(string message, string kind, Exception innerException)
        : base(message, innerException) => Kind = kind;

    public OperationFailedException()
        : this("Operation failed", "OperationFailed")
    {
    }

    public OperationFailedException(string message)
        : this(message, "OperationFailed")
    {
    }

    public OperationFailedException(string message, Exception innerException)
        : this(message, "OperationFailed", innerException)
    {
    }

    public string Kind { get; }

    /// <summary>
    /// <c>__mcd_exception__</c> of the result (<c>"&lt;Type&gt;: &lt;message&gt;"</c>), for errors of a
    /// data source (docs/protocol.md §12.3); null leaves it out.
    /// </summary>
    public string? ExceptionText { get; init; }

    /// <summary><c>__mcd_error_attrs__</c> of the result (<c>sqlstate</c>, <c>errno</c>); null leaves it out.</summary>
    public System.Text.Json.Nodes.JsonObject? Attributes { get; init; }
}
