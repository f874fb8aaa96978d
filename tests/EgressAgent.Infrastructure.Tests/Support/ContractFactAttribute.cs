using Xunit.Sdk;

namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>
/// A fact of an abstract contract class, run once for each subclass. Whether it runs or is skipped is
/// the subclass's to say, with <see cref="ContractServerAttribute"/>: an attribute on the base
/// method is made without knowing which subclass it runs for, so it cannot say it itself.
/// </summary>
[XunitTestCaseDiscoverer("EgressAgent.Infrastructure.Tests.Support.ContractFactDiscoverer", "EgressAgent.Infrastructure.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ContractFactAttribute : FactAttribute;
