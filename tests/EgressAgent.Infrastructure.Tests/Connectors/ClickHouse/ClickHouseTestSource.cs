using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Connectors.ClickHouse;

/// <summary>
/// The ClickHouse server of <see cref="ClickHouseFactAttribute"/> seen as the orchestrator sends it
/// (credentials with <c>connect_args</c>), and the admin's plain HTTP interface for fixtures: the
/// fixtures do not go through the driver under test.
/// </summary>
internal static class ClickHouseTestSource
{
    /// <summary>The credentials object of the reader (or, with <paramref name="admin"/>, the admin), with changed connect_args.</summary>
    public static JsonObject CredentialsOf(bool admin = false, Action<JsonObject>? change = null)
    {
        var url = admin ? ClickHouseFactAttribute.AdminUrl : ClickHouseFactAttribute.Url;
        var user = url.UserInfo.Split(':', 2);
        var args = new JsonObject
        {
            ["host"] = url.Host,
            ["port"] = url.Port,
            ["username"] = Uri.UnescapeDataString(user[0]),
            ["password"] = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : string.Empty,
            ["database"] = url.AbsolutePath.Trim('/') is { Length: > 0 } database ? database : "default",
        };
        change?.Invoke(args);
        return new JsonObject { ["connect_args"] = args };
    }

    /// <summary>Runs fixture SQL as the admin over HTTP (one statement) and returns the answer's text.</summary>
    public static async Task<string> AdminAsync(string sql)
    {
        var url = ClickHouseFactAttribute.AdminUrl;
        var user = url.UserInfo.Split(':', 2);
        using var client = new HttpClient { BaseAddress = new Uri($"{url.Scheme}://{url.Host}:{url.Port}/") };
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.UnescapeDataString(user[0])}:{(user.Length > 1 ? Uri.UnescapeDataString(user[1]) : string.Empty)}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, string.Empty) { Content = new StringContent(sql, Encoding.UTF8) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? text : throw new InvalidOperationException($"fixture SQL failed ({(int)response.StatusCode}): {text}");
    }

    /// <summary>A name no other test uses, for tables.</summary>
    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static ConnectionRequest Request(JsonObject credentials, bool readOnly = true) => new("clickhouse", credentials, readOnly);
}
