using EgressAgent.Infrastructure.ResultStorage;

namespace EgressAgent.Infrastructure.Tests.ResultStorage;

public sealed class SignedUrlsTests
{
    [Fact]
    public void An_S3_url_is_logged_without_its_signature_token_or_access_key_id()
    {
        var url = new Uri("http://127.0.0.1:9000/bucket/mcd/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLEKEY%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-Security-Token=SESSIONTOKEN&X-Amz-SignedHeaders=host&X-Amz-Signature=abcdef0123");

        var logged = SignedUrls.WithoutSignature(url);

        Assert.DoesNotContain("abcdef0123", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("SESSIONTOKEN", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLEKEY", logged, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Credential=__redacted__%2F20260101%2Fus-east-1%2Fs3%2Faws4_request", logged, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Expires=60", logged, StringComparison.Ordinal);
        Assert.StartsWith("http://127.0.0.1:9000/bucket/mcd/x?", logged, StringComparison.Ordinal);
    }

    [Fact]
    public void An_Azure_SAS_is_logged_without_its_signature()
    {
        var logged = SignedUrls.WithoutSignature(new Uri("https://acct.blob.core.windows.net/c/mcd/x?sv=2025-01-05&se=2026-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=c2VjcmV0c2ln%3D"));

        Assert.DoesNotContain("c2VjcmV0c2ln", logged, StringComparison.Ordinal);
        Assert.Contains("sig=__redacted__", logged, StringComparison.Ordinal);
        Assert.Contains("sp=r", logged, StringComparison.Ordinal);
    }
}
