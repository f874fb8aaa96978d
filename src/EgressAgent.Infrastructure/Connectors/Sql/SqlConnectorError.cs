using System.Text.Json.Nodes;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// A driver error as docs/protocol.md §12.3 reports it: the message, the kind
/// (<c>QueryCanceled</c>, <c>InsufficientPrivilege</c>, <c>DatabaseError</c>, …), the exception's
/// type name for <c>__mcd_exception__</c>, and attributes such as <c>sqlstate</c> and <c>errno</c>.
/// </summary>
internal sealed record SqlConnectorError(string Message, string Kind, string ExceptionType, JsonObject? Attributes);
