using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Execution;

/// <summary>
/// A whole-number field of an operation and its accepted range (docs/adr/0012-operation-numbers.md).
/// Reading it either yields a value in range or throws <see cref="OperationFailedException"/>
/// (<see cref="ErrorKinds.InvalidOperation"/>) naming the field and the range: a string, a
/// boolean, an object, a fraction or a number out of range is never guessed at, and never clamped.
/// A value written with a fraction of zero or an exponent (<c>5.0</c>, <c>5e2</c>) is a whole number.
/// </summary>
public sealed record IntegerField(string Name, long Min, long Max)
{
    /// <summary>What the field accepts, as error messages and the ADR say it.</summary>
    public string Rule => string.Create(CultureInfo.InvariantCulture, $"'{Name}' must be an integer from {Min} to {Max}");

    /// <summary>The value, or null when the field is absent or JSON null.</summary>
    public long? ReadOptional(JsonObject operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var node = operation[Name];
        if (node is null)
        {
            return null;
        }

        return JsonNumbers.TryGetWholeNumber(node, out var value) && value >= Min && value <= Max
            ? value
            : throw new OperationFailedException($"{Rule}, not {OperationValues.Describe(node)}", ErrorKinds.InvalidOperation);
    }

    /// <summary>The value, or <paramref name="defaultValue"/> when the field is absent or JSON null.</summary>
    public long Read(JsonObject operation, long defaultValue) => ReadOptional(operation) ?? defaultValue;

    /// <summary>The value; absent or JSON null is an error too.</summary>
    public long ReadRequired(JsonObject operation) =>
        ReadOptional(operation) ?? throw new OperationFailedException($"{Rule}, not {OperationValues.Describe(operation[Name], operation.ContainsKey(Name))}", ErrorKinds.InvalidOperation);
}
