using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EgressAgent.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EgressAgent.Host.Logging;

/// <summary>
/// <c>Logging:Console:FormatterName=json</c> (docs/protocol.md §11): one JSON object per line with the
/// fields a log pipeline indexes at the top level — <c>timestamp</c>, <c>level</c>,
/// <c>category</c>, <c>message</c>, <c>instance_id</c>, and inside an operation its
/// <c>operation_id</c> and <c>trace_id</c> (from the log scope, innermost wins), plus
/// <c>exception</c> and the message's arguments under <c>state</c>. The built-in JSON formatter
/// nests scope values in a <c>Scopes</c> array, where a query cannot reach them by name; see
/// docs/adr/0022.
/// </summary>
internal sealed class AgentJsonConsoleFormatter : ConsoleFormatter, IDisposable
{
    /// <summary>Registered under its own name; <see cref="ConsoleLogging"/> maps <c>json</c> to it.</summary>
    public const string FormatterName = "egress-json";

    public const string OperationIdKey = "operation_id";
    public const string TraceIdKey = "trace_id";

    private const string OriginalFormatKey = "{OriginalFormat}";

    /// <summary>
    /// Never indented: one record, one line. Relaxed escaping keeps non-ASCII text readable (a log
    /// line is not HTML); the encoder still escapes control characters and replaces ill-formed
    /// UTF-16 (a lone surrogate from hostile input) instead of throwing.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly string _instanceId;
    private readonly TimeProvider _timeProvider;
    private readonly IDisposable? _reload;
    private JsonConsoleFormatterOptions _options;

    public AgentJsonConsoleFormatter(IOptionsMonitor<JsonConsoleFormatterOptions> options, InstanceId instanceId, TimeProvider timeProvider)
        : base(FormatterName)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(instanceId);
        _instanceId = instanceId.ToString();
        _timeProvider = timeProvider;
        _options = options.CurrentValue;
        _reload = options.OnChange(o => _options = o);
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var options = _options;
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteTimestamp(writer, options);
            writer.WriteString("level", LevelName(logEntry.LogLevel));
            writer.WriteString("category", logEntry.Category);
            writer.WriteString("message", message ?? string.Empty);
            writer.WriteString("instance_id", _instanceId);
            var (operationId, traceId) = OperationOf(scopeProvider);
            if (operationId is not null)
            {
                writer.WriteString(OperationIdKey, operationId);
            }

            if (traceId is not null)
            {
                writer.WriteString(TraceIdKey, traceId);
            }

            if (logEntry.Exception is { } exception)
            {
                writer.WriteString("exception", exception.ToString());
            }

            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> state && state.Count > 1)
            {
                writer.WriteStartObject("state");
                WriteProperties(writer, state);
                writer.WriteEndObject();
            }

            if (options.IncludeScopes && scopeProvider is not null)
            {
                WriteScopes(writer, scopeProvider);
            }

            writer.WriteEndObject();
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write(Environment.NewLine);
    }

    public void Dispose() => _reload?.Dispose();

    private void WriteTimestamp(Utf8JsonWriter writer, JsonConsoleFormatterOptions options)
    {
        var now = options.UseUtcTimestamp ? _timeProvider.GetUtcNow() : _timeProvider.GetLocalNow();
        if (options.TimestampFormat is { Length: > 0 } format)
        {
            writer.WriteString("timestamp", now.ToString(format, CultureInfo.InvariantCulture));
        }
        else if (options.UseUtcTimestamp)
        {
            writer.WriteString("timestamp", now.UtcDateTime); // ISO 8601 ending in Z
        }
        else
        {
            writer.WriteString("timestamp", now);
        }
    }

    /// <summary>The innermost scope's operation and trace ids: a nested scope names the work actually running.</summary>
    private static (string? OperationId, string? TraceId) OperationOf(IExternalScopeProvider? scopeProvider)
    {
        if (scopeProvider is null)
        {
            return (null, null);
        }

        var found = new StrongBox<(string? OperationId, string? TraceId)>();
        scopeProvider.ForEachScope(
            static (scope, found) =>
            {
                if (scope is not IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    return;
                }

                foreach (var (key, value) in pairs)
                {
                    if (value is null)
                    {
                        continue;
                    }

                    if (key == OperationIdKey)
                    {
                        found.Value.OperationId = Convert.ToString(value, CultureInfo.InvariantCulture);
                    }
                    else if (key == TraceIdKey)
                    {
                        found.Value.TraceId = Convert.ToString(value, CultureInfo.InvariantCulture);
                    }
                }
            },
            found);
        return found.Value;
    }

    /// <summary>The message template's arguments, typed where JSON has the type; the template itself is left out.</summary>
    private static void WriteProperties(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> properties)
    {
        foreach (var (key, value) in properties)
        {
            if (key == OriginalFormatKey)
            {
                continue;
            }

            writer.WritePropertyName(key);
            WriteValue(writer, value);
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case decimal m: writer.WriteNumberValue(m); break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary><c>FormatterOptions:IncludeScopes</c>: every scope as well, as the built-in formatter writes them.</summary>
    private static void WriteScopes(Utf8JsonWriter writer, IExternalScopeProvider scopeProvider)
    {
        writer.WriteStartArray("scopes");
        scopeProvider.ForEachScope(
            static (scope, writer) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    writer.WriteStartObject();
                    writer.WriteString("message", scope.ToString());
                    WriteProperties(writer, pairs);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteStringValue(Convert.ToString(scope, CultureInfo.InvariantCulture));
                }
            },
            writer);
        writer.WriteEndArray();
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => "None",
    };
}
