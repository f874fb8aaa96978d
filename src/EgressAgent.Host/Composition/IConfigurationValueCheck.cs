using Microsoft.Extensions.Configuration;

namespace EgressAgent.Host.Composition;

/// <summary>Finds configured values of one options section that its binder could not convert.</summary>
internal interface IConfigurationValueCheck
{
    /// <summary>Each unreadable value: its key and a problem that names the key.</summary>
    IEnumerable<(string Key, string Problem)> Unreadable(IConfiguration configuration);
}
