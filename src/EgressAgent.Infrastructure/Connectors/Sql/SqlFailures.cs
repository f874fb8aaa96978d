using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Faults;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// Driver exceptions as the error results of docs/protocol.md §12.3: the type's
/// <see cref="SqlConnectionType.DescribeError"/> names kind, exception type and attributes
/// (<c>sqlstate</c>, <c>errno</c>), anything it does not know is a <c>DatabaseError</c>; every
/// secret credential value is replaced by <c>__redacted__</c> in the message (§12.1), whatever
/// the driver put there.
/// </summary>
internal static class SqlFailures
{
    public const string Redacted = "__redacted__";

    /// <summary>
    /// True for an exception to translate: not our own failures, not memory, and not the caller's
    /// cancellation (shutdown or <c>operation.timeout</c>: the runner reports those).
    /// </summary>
    public static bool IsDriverError(Exception exception, CancellationToken cancellationToken) =>
        exception is not (OperationFailedException or ProgramMethodNotFoundException) && exception.IsTranslatable()
        && !cancellationToken.IsCancellationRequested;

    public static OperationFailedException From(SqlConnectionType type, ConnectionRequest request, Exception exception, string? kind = null)
    {
        var error = type.DescribeError(exception)
            ?? new SqlConnectorError(exception.Message, ConnectorErrorKinds.DatabaseError, ConnectorErrorKinds.DatabaseError, null);
        var message = Redact(error.Message, request);
        return new OperationFailedException(message, kind ?? error.Kind, exception)
        {
            ExceptionText = $"{kind ?? error.ExceptionType}: {message}",
            Attributes = error.Attributes,
        };
    }

    /// <summary>A statement that ran out of the session's command timeout (the runtime's own backstop fired, not the caller).</summary>
    public static OperationFailedException TimedOut(TimeSpan timeout)
    {
        var message = $"canceling statement due to statement timeout ({timeout.TotalSeconds:0.###} s)";
        return new OperationFailedException(message, ConnectorErrorKinds.QueryCanceled) { ExceptionText = $"{ConnectorErrorKinds.QueryCanceled}: {message}" };
    }

    /// <summary>Replaces the value of every credential whose name says it is secret (password, token, secret, key).</summary>
    public static string Redact(string message, ConnectionRequest request)
    {
        foreach (var value in SecretValues(request.Credentials).Concat(request.ConnectArgs is { } args ? SecretValues(args) : []).Concat(request.SslOptions is { } ssl ? SecretValues(ssl) : []))
        {
            message = message.Replace(value, Redacted, StringComparison.Ordinal);
        }

        return message;
    }

    private static IEnumerable<string> SecretValues(JsonObject values) =>
        values.Where(p => IsSecretName(p.Key) && p.Value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0)
            .Select(p => p.Value!.GetValue<string>());

    private static bool IsSecretName(string name) =>
        name.Contains("password", StringComparison.OrdinalIgnoreCase) || name.Contains("token", StringComparison.OrdinalIgnoreCase)
        || name.Contains("secret", StringComparison.OrdinalIgnoreCase) || name.Contains("key", StringComparison.OrdinalIgnoreCase);
}
