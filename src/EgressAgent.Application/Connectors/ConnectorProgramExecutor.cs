using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Connectors;

/// <summary>
/// An execute path whose <c>&lt;connector&gt;</c> no executor claims (docs/protocol.md §5.2, §12):
/// the connection type of that name runs the operation's <c>commands</c>. Credentials are
/// resolved (self-hosted secrets merged), a client is leased from the <see cref="ClientCache"/>,
/// one session is opened, the program runs, the session is disposed; any error evicts and closes
/// the client. Every error text passes through the <see cref="CredentialRedactor"/>.
/// Not found by scanning: <see cref="OperationRouter"/> falls back to it.
/// </summary>
internal sealed partial class ConnectorProgramExecutor : IOperationExecutor
{
    private readonly Dictionary<string, IConnectionType> _types;
    private readonly CredentialsResolver _credentials;
    private readonly ClientCache _clients;
    private readonly IOptions<ConnectorsOptions> _options;
    private readonly ILogger<ConnectorProgramExecutor> _logger;

    public ConnectorProgramExecutor(
        IEnumerable<IConnectionType> types,
        CredentialsResolver credentials,
        ClientCache clients,
        IOptions<ConnectorsOptions> options,
        ILogger<ConnectorProgramExecutor> logger)
    {
        _types = new Dictionary<string, IConnectionType>(StringComparer.Ordinal);
        foreach (var type in types)
        {
            foreach (var name in type.Names)
            {
                if (!_types.TryAdd(name, type))
                {
                    throw new InvalidOperationException($"Two connection types claim the name '{name}': {_types[name].GetType().Name}, {type.GetType().Name}.");
                }
            }
        }

        _credentials = credentials;
        _clients = clients;
        _options = options;
        _logger = logger;
    }

    /// <summary>Never in the route table: <see cref="OperationRouter"/> hands it the execute paths no executor claims.</summary>
    public OperationRoute Route { get; } = OperationRoute.Execute("*", "*");

    public async Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (typeName, operationName) = NamesOf(context.Path);
        if (!_types.TryGetValue(typeName, out var type))
        {
            throw new OperationFailedException($"Connection type not supported by this agent: {typeName}", ConnectorErrorKinds.UnsupportedConnectionType);
        }

        var program = CommandsProgram.Parse(context.Operation);
        var skipCache = SkipCacheOf(context.Operation);
        LogRunning(_logger, operationName, typeName, context.OperationId);

        var envelopeCredentials = JsonObject.Create(context.Credentials.Value) ?? [];
        var redactor = new CredentialRedactor(envelopeCredentials);
        try
        {
            var credentials = await _credentials.ResolveAsync(envelopeCredentials, cancellationToken);
            redactor = new CredentialRedactor(envelopeCredentials, credentials);
            var readOnly = _options.Value.IsReadOnly(typeName, type.Names[0]);
            var request = new ConnectionRequest(typeName, credentials, readOnly);
            return await RunAsync(type, request, program, skipCache, SessionLimitsOf(context), cancellationToken);
        }
        catch (OperationFailedException ex)
        {
            LogFailed(_logger, operationName, typeName, context.OperationId, ex.Kind);
            throw Redacted(ex, redactor);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex) when (ex.IsTranslatable())
        {
            var kind = ex.GetType().Name;
            LogFailed(_logger, operationName, typeName, context.OperationId, kind);
            var message = redactor.Redact(ex.Message);
            throw new OperationFailedException(message, kind) { ExceptionText = $"{kind}: {message}" };
        }
    }

    private async Task<JsonNode?> RunAsync(IConnectionType type, ConnectionRequest request, CommandsProgram program, bool skipCache, SessionLimits limits, CancellationToken cancellationToken)
    {
        ClientLease lease;
        try
        {
            lease = await _clients.LeaseAsync(type, request, skipCache);
        }
        catch (Exception ex) when (ex is not (OperationFailedException or OperationCanceledException) && ex.IsTranslatable())
        {
            throw ConnectionError(ex);
        }

        await using (lease)
        {
            try
            {
                IDataSourceSession session;
                try
                {
                    session = await lease.Client.OpenSessionAsync(limits, cancellationToken);
                }
                catch (Exception ex) when (ex is not (OperationFailedException or OperationCanceledException) && ex.IsTranslatable())
                {
                    throw ConnectionError(ex);
                }

                await using (session)
                {
                    return await program.RunAsync(session, cancellationToken);
                }
            }
            catch
            {
                lease.Fail();
                throw;
            }
        }
    }

    /// <summary>A client that cannot be opened (docs/protocol.md §12.3), with the driver's message (redacted by the caller).</summary>
    private static OperationFailedException ConnectionError(Exception ex) =>
        new(ex.Message, ConnectorErrorKinds.ConnectionError, ex) { ExceptionText = $"{ex.GetType().Name}: {ex.Message}" };

    private static OperationFailedException Redacted(OperationFailedException ex, CredentialRedactor redactor) =>
        new(redactor.Redact(ex.Message), ex.Kind)
        {
            ExceptionText = ex.ExceptionText is null ? null : redactor.Redact(ex.ExceptionText),
            Attributes = ex.Attributes is null ? null : redactor.Redact(ex.Attributes),
        };

    private static (string Type, string Operation) NamesOf(string path)
    {
        var segments = path[OperationRoute.ExecutePrefix.Length..].Split('/');
        return (segments[0], segments[^1]);
    }

    private static bool SkipCacheOf(JsonObject operation) => operation["skip_cache"] switch
    {
        null => false,
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
        var other => throw new OperationFailedException($"'skip_cache' must be true or false, not {OperationValues.Describe(other)}", ErrorKinds.InvalidOperation),
    };

    private static SessionLimits SessionLimitsOf(OperationContext context) => new(OperationFields.TimeoutOf(context.Operation));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Running {OperationName} on connection type {ConnectionType} (operation {OperationId})")]
    private static partial void LogRunning(ILogger logger, string operationName, string connectionType, string operationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{OperationName} on connection type {ConnectionType} failed with {ErrorKind} (operation {OperationId})")]
    private static partial void LogFailed(ILogger logger, string operationName, string connectionType, string operationId, string errorKind);
}
