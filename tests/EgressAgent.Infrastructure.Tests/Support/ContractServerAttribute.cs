namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>
/// The server a contract subclass tests against, named by that server's fact attribute
/// (<c>[ContractServer(typeof(S3CompatibleFactAttribute))]</c>): the <see cref="ContractFactAttribute"/>
/// facts it inherits run or are skipped exactly as that attribute's own facts are.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ContractServerAttribute(Type factAttribute) : Attribute
{
    /// <summary>A <see cref="FactAttribute"/> with a parameterless constructor that sets <see cref="FactAttribute.Skip"/> when the server is missing.</summary>
    public Type FactAttribute { get; } = factAttribute;
}
