using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Domain.Text;

namespace EgressAgent.Domain.Tests.Text;

/// <summary>Contract §10: text that is not valid Unicode parses, and must then be readable and writable.</summary>
public sealed class WellFormedJsonTests
{
    [Theory]
    [InlineData("\"a\\ud800b\"", "a\uFFFDb")]
    [InlineData("\"\\udc00\"", "\uFFFD")]
    [InlineData("\"\\ud83d\\ude00 and \\\\ \\\" \\/ \\n\\t\\b\\f\\r \\u00e9\"", "😀 and \\ \" / \n\t\b\f\r é")]
    [InlineData("\"x\\ud800\\n\\u0041\"", "x\uFFFD\nA")]
    [InlineData("\"plain\"", "plain")]
    public void GetString_replaces_what_cannot_be_decoded(string json, string expected)
    {
        Assert.Equal(expected, WellFormedJson.GetString(Parse(json)));
    }

    [Fact]
    public void GetString_replaces_bytes_that_are_not_utf8()
    {
        using var document = JsonDocument.Parse(Utf8("\"a", 0xFF, "b\""));

        Assert.Equal("a\uFFFDb", WellFormedJson.GetString(document.RootElement));
    }

    [Fact]
    public void GetString_of_a_non_string_is_null()
    {
        Assert.Null(WellFormedJson.GetString(Parse("5")));
    }

    [Theory]
    [InlineData("\"ok\"", true)]
    [InlineData("\"\\ud800\"", false)]
    [InlineData("5", false)]
    public void IsValidString_is_false_for_lone_surrogates_and_non_strings(string json, bool expected)
    {
        Assert.Equal(expected, WellFormedJson.IsValidString(Parse(json)));
    }

    [Fact]
    public void Repair_replaces_lone_surrogates_in_keys_and_values_at_any_depth_and_keeps_everything_else()
    {
        var broken = Parse("""{"trace_id":"t\ud800","k\udc00":[1,2,true,false,null,{"deep":"\ud800\ud83d\ude00"}],"ok":"é"}""");

        var repaired = WellFormedJson.Repair(broken);

        var expected = JsonNode.Parse("""{"trace_id":"t\uFFFD","k\uFFFD":[1,2,true,false,null,{"deep":"\uFFFD\ud83d\ude00"}],"ok":"é"}""");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(repaired.GetRawText())), repaired.GetRawText());
        Assert.Equal("t\uFFFD", repaired.GetProperty("trace_id").GetString());
        Assert.Equal("\uFFFD😀", repaired.GetProperty("k\uFFFD")[5].GetProperty("deep").GetString());
        Assert.NotNull(JsonObject.Create(repaired)!.ToJsonString());
    }

    [Fact]
    public void Repair_replaces_bytes_that_are_not_utf8()
    {
        using var document = JsonDocument.Parse(Utf8("{\"a\":\"x", 0xED, 0xA0, 0x80, "y\"}"));

        var repaired = WellFormedJson.Repair(document.RootElement);

        Assert.Equal("x\uFFFD\uFFFD\uFFFDy", repaired.GetProperty("a").GetString());
    }

    [Fact]
    public void Repair_of_json_without_surrogate_escapes_is_the_same_text()
    {
        var element = Parse("""{"a":"é \u00e9 \n","n":12345678901234567890123,"list":[1,{"b":null}]}""");

        Assert.Equal(element.GetRawText(), WellFormedJson.Repair(element).GetRawText());
    }

    [Fact]
    public void Repair_keeps_escaped_surrogate_pairs_as_they_are()
    {
        var repaired = WellFormedJson.Repair(Parse("""{"a":"\ud83d\ude00"}"""));

        Assert.Equal("😀", repaired.GetProperty("a").GetString());
    }

    [Fact]
    public void Repair_keeps_number_text_exactly()
    {
        var repaired = WellFormedJson.Repair(Parse("""{"x":"\ud800","big":12345678901234567890123.000}"""));

        Assert.Equal("12345678901234567890123.000", repaired.GetProperty("big").GetRawText());
    }

    [Fact]
    public void TryGetProperty_finds_a_property_beside_a_name_that_is_not_valid_unicode()
    {
        var element = Parse("""{"operation_id":"op-1","\udc00":1}""");

        Assert.True(WellFormedJson.TryGetProperty(element, "operation_id"u8, out var found));
        Assert.Equal("op-1", found.GetString());
        Assert.False(WellFormedJson.TryGetProperty(element, "path"u8, out _));
    }

    [Fact]
    public void TryGetProperty_takes_the_last_of_duplicate_names_like_the_parser()
    {
        var element = Parse("""{"a":1,"a":2}""");

        Assert.True(WellFormedJson.TryGetProperty(element, "a"u8, out var found));
        Assert.Equal(element.GetProperty("a").GetInt32(), found.GetInt32());
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static byte[] Utf8(params object[] parts) =>
        [.. parts.SelectMany(p => p is string s ? Encoding.ASCII.GetBytes(s) : [Convert.ToByte(p, System.Globalization.CultureInfo.InvariantCulture)])];
}
