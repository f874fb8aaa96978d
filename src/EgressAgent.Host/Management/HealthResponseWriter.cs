using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EgressAgent.Host.Management;

/// <summary>
/// The body of <c>/livez</c> and <c>/readyz</c>: the overall status, the names of the failing
/// checks, and each check with its status and why —
/// <c>{"status":"unhealthy","failing":["shutdown"],"checks":{"shutdown":{"status":"unhealthy","description":"shutting down (draining)"}}}</c>.
/// </summary>
internal static class HealthResponseWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", Name(report.Status));
        json.WriteStartArray("failing");
        foreach (var (name, _) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy))
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", Name(entry.Status));
            // A check that threw: its type only — an exception's message may name files or URLs.
            json.WriteString("description", entry.Exception is { } failure ? $"the check failed ({failure.GetType().Name})" : entry.Description);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
