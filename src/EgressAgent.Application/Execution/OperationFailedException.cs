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
}
