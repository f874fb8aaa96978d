using System.Text.Json.Nodes;
using EgressAgent.Domain;
using EgressAgent.Host.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.EndToEnd.Tests.Logging;

/// <summary>The JSON console formatter in isolation: one line, top-level ids, hostile text (docs/protocol.md §10, §11).</summary>
public sealed class AgentJsonConsoleFormatterTests
{
    private static readonly InstanceId Instance = new(Guid.Parse("2bf40cb0-b423-4ed7-8e04-c2d6a1952f9b"));
    private static readonly Func<ILogger, string, string, IDisposable?> OperationScope =
        LoggerMessage.DefineScope<string, string>("Operation {operation_id} (trace {trace_id})");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero));
    private readonly LoggerExternalScopeProvider _scopes = new();

    [Fact]
    public void A_record_is_one_line_with_the_fields_at_the_top_level_and_no_operation_outside_a_scope()
    {
        var line = Write(new JsonConsoleFormatterOptions { UseUtcTimestamp = true }, LogLevel.Warning, "Stream {State}", "lost");

        Assert.EndsWith(Environment.NewLine, line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line.TrimEnd());
        var record = JsonNode.Parse(line)!.AsObject();
        Assert.Equal("2025-03-04T05:06:07.89Z", (string?)record["timestamp"]);
        Assert.Equal("Warning", (string?)record["level"]);
        Assert.Equal("Tests.Category", (string?)record["category"]);
        Assert.Equal("Stream lost", (string?)record["message"]);
        Assert.Equal(Instance.ToString(), (string?)record["instance_id"]);
        Assert.Equal("lost", (string?)record["state"]!["State"]);
        Assert.False(record.ContainsKey("operation_id"));
        Assert.False(record.ContainsKey("trace_id"));
        Assert.False(record.ContainsKey("exception"));
        Assert.False(record.ContainsKey("scopes"));
    }

    [Fact]
    public void Inside_nested_scopes_the_innermost_operation_and_trace_ids_are_top_level_fields()
    {
        using (_scopes.Push(new[] { new KeyValuePair<string, object?>("operation_id", "outer"), new("trace_id", "t-outer") }))
        using (_scopes.Push("an unrelated scope"))
        using (_scopes.Push(new[] { new KeyValuePair<string, object?>("operation_id", "op-7"), new("trace_id", "t-7") }))
        {
            var record = JsonNode.Parse(Write(new JsonConsoleFormatterOptions(), LogLevel.Information, "inside"))!.AsObject();

            Assert.Equal("op-7", (string?)record["operation_id"]);
            Assert.Equal("t-7", (string?)record["trace_id"]);
        }
    }

    [Fact]
    public void The_worker_pools_scope_shape_gives_the_ids_and_IncludeScopes_adds_every_scope()
    {
        var logger = new ScopeOnlyLogger(_scopes);
        using (OperationScope(logger, "op-1", "t-1"))
        {
            var record = JsonNode.Parse(Write(new JsonConsoleFormatterOptions { IncludeScopes = true }, LogLevel.Information, "inside"))!.AsObject();

            Assert.Equal("op-1", (string?)record["operation_id"]);
            Assert.Equal("t-1", (string?)record["trace_id"]);
            var scope = Assert.Single(record["scopes"]!.AsArray())!;
            Assert.Equal("Operation op-1 (trace t-1)", (string?)scope["message"]);
        }
    }

    [Fact]
    public void Text_that_is_not_valid_unicode_or_spans_lines_still_makes_one_valid_json_line()
    {
        using (_scopes.Push(new[] { new KeyValuePair<string, object?>("operation_id", "op\ud800"), new("trace_id", "t\udc00x") }))
        {
            var line = Write(new JsonConsoleFormatterOptions(), LogLevel.Error, "Skipped {Id}\nsecond line", "bad\ud800id");

            Assert.DoesNotContain('\n', line.TrimEnd());
            var record = JsonNode.Parse(line)!.AsObject();
            Assert.Equal("Skipped bad\ufffdid\nsecond line", (string?)record["message"]);
            Assert.Equal("op\ufffd", (string?)record["operation_id"]);
            Assert.Equal("t\ufffdx", (string?)record["trace_id"]);
        }
    }

    [Fact]
    public void An_exception_is_written_whole_under_exception()
    {
        var thrown = Capture(() => throw new InvalidOperationException("boom"));

        var record = JsonNode.Parse(Write(new JsonConsoleFormatterOptions(), LogLevel.Error, "failed", exception: thrown))!.AsObject();

        Assert.Equal(thrown.ToString(), (string?)record["exception"]);
        Assert.Contains("boom", (string?)record["exception"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_timestamp_format_is_used_in_local_or_utc_time()
    {
        var utc = JsonNode.Parse(Write(new JsonConsoleFormatterOptions { UseUtcTimestamp = true, TimestampFormat = "yyyy-MM-dd HH:mm" }, LogLevel.Debug, "x"))!;
        var local = JsonNode.Parse(Write(new JsonConsoleFormatterOptions { UseUtcTimestamp = false }, LogLevel.Debug, "x"))!;

        Assert.Equal("2025-03-04 05:06", (string?)utc["timestamp"]);
        Assert.Equal(_time.GetUtcNow(), DateTimeOffset.Parse((string)local["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Debug", (string?)utc["level"]);
    }

    private string Write(JsonConsoleFormatterOptions options, LogLevel level, string template, object? argument = null, Exception? exception = null)
    {
        using var formatter = new AgentJsonConsoleFormatter(new FixedOptions(options), Instance, _time);
        var state = new FormattedState(template, argument);
        var entry = new LogEntry<FormattedState>(level, "Tests.Category", new EventId(1), state, exception, (s, _) => s.ToString());
        using var writer = new StringWriter();
        formatter.Write(in entry, _scopes, writer);
        return writer.ToString();
    }

    private static Exception Capture(Action action)
    {
        try
        {
            action();
        }
        catch (InvalidOperationException ex)
        {
            return ex;
        }

        throw new InvalidOperationException("nothing thrown");
    }

    /// <summary>A message template with at most one argument, shaped as LoggerMessage's state.</summary>
    private sealed class FormattedState(string template, object? argument) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly List<KeyValuePair<string, object?>> _pairs = Pairs(template, argument);

        public int Count => _pairs.Count;

        public KeyValuePair<string, object?> this[int index] => _pairs[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _pairs.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString()
        {
            var open = template.IndexOf('{', StringComparison.Ordinal);
            return open < 0 ? template : template[..open] + argument + template[(template.IndexOf('}', StringComparison.Ordinal) + 1)..];
        }

        private static List<KeyValuePair<string, object?>> Pairs(string template, object? argument)
        {
            var pairs = new List<KeyValuePair<string, object?>>();
            var open = template.IndexOf('{', StringComparison.Ordinal);
            if (open >= 0)
            {
                pairs.Add(new(template[(open + 1)..template.IndexOf('}', StringComparison.Ordinal)], argument));
            }

            pairs.Add(new("{OriginalFormat}", template));
            return pairs;
        }
    }

    private sealed class FixedOptions(JsonConsoleFormatterOptions value) : IOptionsMonitor<JsonConsoleFormatterOptions>
    {
        public JsonConsoleFormatterOptions CurrentValue => value;

        public JsonConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<JsonConsoleFormatterOptions, string?> listener) => null;
    }

    /// <summary>A logger whose scopes land in the formatter's scope provider, as the logger factory's do.</summary>
    private sealed class ScopeOnlyLogger(IExternalScopeProvider scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
