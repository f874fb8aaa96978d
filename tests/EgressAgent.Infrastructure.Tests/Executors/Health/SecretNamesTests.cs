using EgressAgent.Domain.Text;

namespace EgressAgent.Infrastructure.Tests.Executors.Health;

/// <summary>The one rule deciding which setting names are secret (docs/protocol.md §9).</summary>
public sealed class SecretNamesTests
{
    [Theory]
    [InlineData("TokenSecret")]
    [InlineData("tokensecret")]
    [InlineData("TokenFile")]
    [InlineData("token")]
    [InlineData("API_TOKEN")]
    [InlineData("Password")]
    [InlineData("db_password")]
    [InlineData("Pwd")]
    [InlineData("ConnectionString")]
    [InlineData("CONNECTIONSTRING")]
    [InlineData("ClientSecret")]
    [InlineData("TokenIdSecret")]
    public void Names_holding_a_secret_are_secret(string name) => Assert.True(SecretNames.IsSecret(name));

    [Theory]
    [InlineData("TokenId")]
    [InlineData("token_id")]
    [InlineData("TOKEN_ID")]
    [InlineData("BaseUrl")]
    [InlineData("Workers")]
    [InlineData("Provider")]
    [InlineData("DataDirectory")]
    public void Other_names_are_not(string name) => Assert.False(SecretNames.IsSecret(name));
}
