namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>An answer body over its endpoint's cap (<see cref="ResponseLimits"/>); nothing of it is kept.</summary>
internal sealed class ResponseTooLargeException : Exception
{
    public ResponseTooLargeException(string endpoint, long limit, long? declaredLength)
        : base(declaredLength is { } declared
            ? $"{endpoint} answered a body of {declared} bytes, over its limit of {limit} bytes"
            : $"{endpoint} answered a body over its limit of {limit} bytes")
    {
    }

    public ResponseTooLargeException()
    {
    }

    public ResponseTooLargeException(string message)
        : base(message)
    {
    }

    public ResponseTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
