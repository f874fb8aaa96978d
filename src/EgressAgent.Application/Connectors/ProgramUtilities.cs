using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Connectors;

/// <summary><c>__utils</c> of the program's context: <c>build_dict(**kwargs)</c>, an object of its resolved keyword arguments.</summary>
internal sealed class ProgramUtilities : IProgramObject
{
    public const string VariableName = "__utils";

    public static readonly ProgramUtilities Instance = new();

    private ProgramUtilities()
    {
    }

    public ValueTask<object?> InvokeAsync(string method, ProgramArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (method != "build_dict")
        {
            throw new ProgramMethodNotFoundException(method);
        }

        if (arguments.Positional.Count > 0)
        {
            throw new OperationFailedException("build_dict takes keyword arguments only", ErrorKinds.InvalidOperation);
        }

        var result = new JsonObject();
        foreach (var (name, value) in arguments.Named)
        {
            result[name] = ProgramValues.ToMember(value);
        }

        return ValueTask.FromResult<object?>(result);
    }
}
