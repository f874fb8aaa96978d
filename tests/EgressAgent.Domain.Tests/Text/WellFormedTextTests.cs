using EgressAgent.Domain.Text;

namespace EgressAgent.Domain.Tests.Text;

public sealed class WellFormedTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("pair 😀 kept", "pair 😀 kept")]
    [InlineData("a{D800}b", "a\uFFFDb")]
    [InlineData("{DC00}start", "\uFFFDstart")]
    [InlineData("end{D83D}", "end\uFFFD")]
    [InlineData("{DE00}{D83D} reversed", "\uFFFD\uFFFD reversed")]
    [InlineData("{D83D}{D83D}{DE00}", "\uFFFD😀")]
    public void Repair_replaces_each_lone_surrogate_and_keeps_pairs(string text, string expected)
    {
        Assert.Equal(expected, WellFormedText.Repair(Chars(text)));
    }

    [Fact]
    public void Repair_returns_valid_text_itself_without_copying()
    {
        const string text = "nothing to repair 😀";

        Assert.Same(text, WellFormedText.Repair(text));
    }

    [Theory]
    [InlineData("ok", -1)]
    [InlineData("😀{D800}", 2)]
    [InlineData("ab{DFFF}", 2)]
    public void IndexOfLoneSurrogate_finds_the_first_half_pair(string text, int expected)
    {
        Assert.Equal(expected, WellFormedText.IndexOfLoneSurrogate(Chars(text)));
    }

    [Fact]
    public void Excerpt_never_cuts_a_surrogate_pair_in_two()
    {
        var excerpt = WellFormedText.Excerpt("abc😀def", 4);

        Assert.Equal("abc… (8 chars)", excerpt);
    }

    [Fact]
    public void Excerpt_of_short_text_is_the_repaired_text()
    {
        Assert.Equal("x\uFFFD", WellFormedText.Excerpt("x\ud800", 10));
    }

    /// <summary>
    /// Test data spells a lone surrogate as <c>{D800}</c>: a literal one cannot travel through an
    /// attribute (metadata stores strings as UTF-8 and mangles it).
    /// </summary>
    private static string Chars(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "{([0-9A-F]{4})}", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());
}
