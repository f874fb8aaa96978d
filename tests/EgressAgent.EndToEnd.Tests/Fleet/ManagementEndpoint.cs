using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EgressAgent.EndToEnd.Tests.Harness;

namespace EgressAgent.EndToEnd.Tests.Fleet;

/// <summary>
/// The agent's management endpoints as a probe or a scraper sees them. The agent listens on
/// <c>http://127.0.0.1:0</c> (a free port) and logs where; this reads the port from that line.
/// </summary>
internal sealed partial class ManagementEndpoint : IDisposable
{
    public const string AnyFreePort = "http://127.0.0.1:0";

    private readonly HttpClient _http;

    private ManagementEndpoint(Uri baseAddress) =>
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };

    public Uri BaseAddress => _http.BaseAddress!;

    public static async Task<ManagementEndpoint> OfAsync(AgentProcess agent, TimeSpan timeout)
    {
        var line = await agent.WaitForLineAsync(l => ListeningLine().IsMatch(l), timeout);
        return new ManagementEndpoint(new Uri(ListeningLine().Match(line).Groups["url"].Value));
    }

    /// <summary>A probe: the status and the JSON body of <c>/livez</c> or <c>/readyz</c>.</summary>
    public async Task<Probe> ProbeAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        return new Probe(response.StatusCode, JsonNode.Parse(body)!.AsObject(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Probes until <paramref name="until"/> holds; every probe is kept for the failure message.</summary>
    public async Task<Probe> ProbeUntilAsync(string path, Func<Probe, bool> until, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var seen = new List<string>();
        while (true)
        {
            var probe = await ProbeAsync(path);
            if (until(probe))
            {
                return probe;
            }

            seen.Add($"{(int)probe.Status} {probe.Body.ToJsonString()}");
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{path} never answered as expected within {timeout}; last answers: {string.Join(" | ", seen.TakeLast(3))}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    public async Task<Scrape> ScrapeAsync()
    {
        using var response = await _http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Scrape.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes until <paramref name="until"/> holds (counters move just after what the emulator records).</summary>
    public async Task<Scrape> ScrapeUntilAsync(Func<Scrape, bool> until, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var scrape = await ScrapeAsync();
            if (until(scrape) || DateTimeOffset.UtcNow > deadline)
            {
                return scrape;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex(@"Management endpoints \(/livez, /readyz, /metrics\) listening on (?<url>http://[^\s,]+)")]
    private static partial Regex ListeningLine();
}

internal sealed record Probe(HttpStatusCode Status, JsonObject Body, string? MediaType)
{
    public IReadOnlyList<string> Failing => [.. Body["failing"]!.AsArray().Select(n => n!.GetValue<string>())];

    public string? Description(string check) => Body["checks"]?[check]?["description"]?.GetValue<string>();

    public string? StatusOf(string check) => Body["checks"]?[check]?["status"]?.GetValue<string>();
}
