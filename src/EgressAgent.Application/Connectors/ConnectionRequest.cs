using System.Text.Json.Nodes;

namespace EgressAgent.Application.Connectors;

/// <summary>
/// What a connection type needs to build a client: the wire name it was asked for (an alias such
/// as <c>mariadb</c> or <c>motherduck</c> may matter), the resolved credentials (self-hosted secrets
/// already merged in; never log them), and whether the session must be read-only
/// (<c>Connectors:&lt;type&gt;:ReadOnly</c>, default true).
/// </summary>
public sealed record ConnectionRequest(string TypeName, JsonObject Credentials, bool ReadOnly)
{
    /// <summary><c>credentials.connect_args</c> as an object, or null when absent or a string (ODBC or DSN forms).</summary>
    public JsonObject? ConnectArgs => Credentials["connect_args"] as JsonObject;

    /// <summary><c>credentials.ssl_options</c>, or null.</summary>
    public JsonObject? SslOptions => Credentials["ssl_options"] as JsonObject;

    public override string ToString() => $"ConnectionRequest {{ TypeName = {TypeName}, ReadOnly = {ReadOnly}, Credentials = (redacted) }}";
}
