using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;

namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>Reads a result body the way the adapter does, checking that it writes exactly its declared length.</summary>
internal static class ResultBodies
{
    public static async Task<string> ReadStringAsync(this IResultBody body)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, CancellationToken.None);
        Assert.Equal(body.Length, buffer.Length);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static async Task<JsonNode?> ReadJsonAsync(this IResultBody body) => JsonNode.Parse(await body.ReadStringAsync());
}
