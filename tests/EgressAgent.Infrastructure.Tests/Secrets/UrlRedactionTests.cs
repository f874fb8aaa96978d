using EgressAgent.Domain.Text;

namespace EgressAgent.Infrastructure.Tests.Secrets;

/// <summary>Contract §10 "Secrets": a base URL's user info is redacted wherever the URL is shown (docs/adr/0021).</summary>
public sealed class UrlRedactionTests
{
    [Theory]
    [InlineData("http://user:pa55word@127.0.0.1:5000/", "http://127.0.0.1:5000/")]
    [InlineData("https://agent:hunter2@orchestrator.example:8443/prefix/?token=abc#frag", "https://orchestrator.example:8443/prefix/")]
    [InlineData("https://only-a-user@h/p", "https://h/p")]
    [InlineData("https://user:p%40ss%3Aw0rd@h/", "https://h/")]
    [InlineData("http://us er:pa55 word@h/", "http://h/")]
    [InlineData("https://h/prefix?sig=abc", "https://h/prefix")]
    public void A_url_is_shown_without_user_info_query_or_fragment(string url, string shown)
    {
        Assert.Equal(shown, SecretNames.WithoutUrlCredentials(url));
    }

    [Theory]
    [InlineData("http://user:pa55@word@127.0.0.1/x", "http://127.0.0.1/x")] // a raw '@' in the password: not a valid URL
    [InlineData("http://user:pa#55word@127.0.0.1/", "http://127.0.0.1/")]
    [InlineData("http://user:pa/55word@127.0.0.1/", "http://127.0.0.1/")]
    [InlineData("failed: http://user:pa55@word@h/x and more", "failed: http://h/x and more")]
    public void A_url_that_does_not_parse_still_loses_everything_before_its_last_at_sign(string text, string shown)
    {
        Assert.Equal(shown, SecretNames.WithoutUrlCredentials(text));
    }

    [Theory]
    [InlineData("https://orchestrator.example/prefix/")]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("not a url at all")]
    [InlineData("mail me at someone@example.com")]
    [InlineData("")]
    public void Text_without_credentials_is_unchanged(string text)
    {
        Assert.Equal(text, SecretNames.WithoutUrlCredentials(text));
    }

    [Theory]
    [InlineData("Connection to user:pa55word failed")]
    [InlineData("password pa55word was rejected")]
    [InlineData("escaped p%40ss%3Aword here")]
    [InlineData("unescaped p@ss:word here")]
    [InlineData("GET http://user:p%40ss%3Aword@h:1/x failed")]
    public void A_message_loses_the_configured_user_info_in_every_form(string message)
    {
        const string baseUrl = "http://user:p%40ss%3Aword@h:1/";
        var redacted = SecretNames.WithoutUrlCredentials(message, message.Contains("pa55", StringComparison.Ordinal) ? "http://user:pa55word@h:1/" : baseUrl);

        Assert.DoesNotContain("pa55word", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("p%40ss%3Aword", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("p@ss:word", redacted, StringComparison.Ordinal);
        Assert.NotEqual(message, redacted);
    }

    [Fact]
    public void A_message_keeps_its_text_around_the_redaction()
    {
        var redacted = SecretNames.WithoutUrlCredentials("rejected pa55word at 127.0.0.1:5000", "http://user:pa55word@127.0.0.1:5000/");

        Assert.Equal("rejected *** at 127.0.0.1:5000", redacted);
    }

    [Fact]
    public void Without_a_configured_url_a_message_is_only_cleaned_of_urls_with_user_info()
    {
        Assert.Equal("see http://h/ now", SecretNames.WithoutUrlCredentials("see http://a:b@h/ now", null));
        Assert.Equal("plain", SecretNames.WithoutUrlCredentials("plain", null));
    }
}
