using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;

namespace EgressAgent.Host.Commands;

/// <summary>Prints the demo's results as they arrive and the summary at the end.</summary>
internal sealed class DemoResultTable(IReadOnlyDictionary<string, DemoSample> expected)
{
    private const int PayloadChars = 70;
    private const int RowsShown = 5;
    private const int FetchedChars = 400;
    private const string LocationKey = "__mcd_result_location__";
    private const string CompressedKey = "__mcd_result_compressed__";
    private readonly ConcurrentDictionary<string, (string Outcome, string Detail)> _rows = new();
    private readonly Lock _console = new();

    public bool Complete => expected.Keys.All(_rows.ContainsKey);

    public void Add(RecordedResult result)
    {
        if (result.StatusCode is < 200 or >= 300 || result.Result is null || !expected.TryGetValue(result.OperationId, out var sample))
        {
            return;
        }

        var (outcome, detail) = result.Result[LocationKey] is { } location ? DescribeOffloaded(result, location) : Describe(result.Result);
        if (!_rows.TryAdd(result.OperationId, (outcome, detail)))
        {
            return;
        }

        lock (_console)
        {
            Console.WriteLine($"  {(outcome == "success" ? "ok " : "err")}  {result.OperationId,-6} {sample.Label,-32} {detail}");
            if (result.LocationBody is { } fetched)
            {
                Console.WriteLine($"{"",14}fetched by the emulator: {Shorten(fetched.ToJsonString(), FetchedChars)}");
            }

            if (result.Result["__mcd_result__"] is JsonObject payload && (payload["rows"] ?? payload["all_results"]) is JsonArray rows)
            {
                foreach (var row in rows.Take(RowsShown))
                {
                    Console.WriteLine($"{"",14}{row?.ToJsonString()}");
                }
            }
        }
    }

    public void PrintSummary(TimeSpan elapsed, int shutdownNotifications, int exitCode)
    {
        Console.WriteLine();
        Console.WriteLine($"  {"operation",-9} {"what",-32} {"outcome",-8}");
        Console.WriteLine($"  {new string('-', 9)} {new string('-', 32)} {new string('-', 8)}");
        foreach (var (id, sample) in expected.OrderBy(e => e.Key.Length).ThenBy(e => e.Key, StringComparer.Ordinal))
        {
            var outcome = _rows.TryGetValue(id, out var row) ? row.Outcome : "MISSING";
            Console.WriteLine($"  {id,-9} {sample.Label,-32} {outcome,-8}");
        }

        var successes = _rows.Values.Count(r => r.Outcome == "success");
        Console.WriteLine();
        Console.WriteLine($"  {_rows.Count}/{expected.Count} results ({successes} success, {_rows.Count - successes} error); shutdown notified {shutdownNotifications}x; exit code {exitCode}; {elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>
    /// A result published as a location (docs/protocol.md §13): the emulator fetched it before
    /// accepting it, so the row says whether that worked. The URL is shown without its query, which
    /// holds the signature.
    /// </summary>
    private static (string Outcome, string Detail) DescribeOffloaded(RecordedResult result, JsonNode location)
    {
        var where = Uri.TryCreate(location.ToString(), UriKind.Absolute, out var url) ? url.GetLeftPart(UriPartial.Path) : "an unreadable URL";
        var gzip = result.Result?[CompressedKey] is not null ? ", gzipped" : string.Empty;
        return result.LocationError is { } error
            ? ("error", $"offloaded to {where}{gzip}, but fetching it failed: {error}")
            : ("success", $"offloaded to {where}{gzip} (pre-signed; signature not shown)");
    }

    private static string Shorten(string text, int chars) => text.Length <= chars ? text : text[..chars] + "…";

    private static (string Outcome, string Detail) Describe(JsonObject result)
    {
        if (result["__mcd_error__"] is { } error)
        {
            return ("error", $"{result["__mcd_error_type__"]}: {error}");
        }

        if (result["__mcd_result__"] is JsonObject { } query && query["rows"] is JsonArray && query["columns"] is JsonArray columns)
        {
            var names = string.Join(", ", columns.Select(c => c?["name"]?.ToString()));
            return ("success", $"{query["row_count"]} row(s) of ({names}), truncated: {query["truncated"]}");
        }

        if (result["__mcd_result__"] is JsonObject { } program && program["all_results"] is JsonArray programRows && program["description"] is JsonArray description)
        {
            var names = string.Join(", ", description.Select(c => c?[0]?.ToString()));
            return ("success", $"{programRows.Count} row(s) of ({names}), rowcount {program["rowcount"]}");
        }

        return ("success", Shorten(result["__mcd_result__"]?.ToJsonString() ?? "null", PayloadChars));
    }
}
