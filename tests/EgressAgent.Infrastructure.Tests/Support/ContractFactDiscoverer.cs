using Xunit.Abstractions;
using Xunit.Sdk;

namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>
/// Finds a <see cref="ContractFactAttribute"/> fact on the concrete class xunit runs it for, and
/// takes its skip reason from the fact attribute that class's <see cref="ContractServerAttribute"/> names.
/// </summary>
public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(discoveryOptions);
        ArgumentNullException.ThrowIfNull(testMethod);
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var server = testMethod.TestClass.Class.GetCustomAttributes(typeof(ContractServerAttribute)).SingleOrDefault();
        if (server?.GetNamedArgument<Type>(nameof(ContractServerAttribute.FactAttribute)) is not { } serverFact
            || Activator.CreateInstance(serverFact) is not FactAttribute fact)
        {
            return [new ExecutionErrorTestCase(diagnosticMessageSink, display, displayOptions, testMethod,
                $"{testMethod.TestClass.Class.Name} inherits contract facts but names no server's fact attribute with [ContractServer].")];
        }

        // xunit's own test case with a fixed skip reason (made for skipped theory rows, and as apt for a fact).
        return fact.Skip is { } reason
            ? [new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, displayOptions, testMethod, reason)]
            : [new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod)];
    }
}
