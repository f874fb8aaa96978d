using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Execution;

/// <summary>
/// A duration in seconds (a JSON number, fractions allowed) above 0 and at most <see cref="MaxSeconds"/>
/// (docs/adr/0012-operation-numbers.md). Anything else throws <see cref="OperationFailedException"/>
/// (<see cref="ErrorKinds.InvalidOperation"/>) naming the field and the range.
/// </summary>
public sealed record SecondsField(string Name, double MaxSeconds)
{
    /// <summary>
    /// The longest timer a <see cref="CancellationTokenSource"/> accepts is 4,294,967,294 ms (about
    /// 49.7 days); whole seconds below it. A longer bound would throw where the timer is made.
    /// </summary>
    public const double TimerMaxSeconds = 4_294_967;

    /// <summary>What the field accepts, as error messages and the ADR say it.</summary>
    public string Rule => string.Create(CultureInfo.InvariantCulture, $"'{Name}' must be a number of seconds above 0 and at most {MaxSeconds}");

    /// <summary>The duration, or null when the field is absent or JSON null.</summary>
    public TimeSpan? ReadOptional(JsonObject operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var node = operation[Name];
        if (node is null)
        {
            return null;
        }

        return JsonNumbers.TryGetDouble(node, out var seconds) && seconds > 0 && seconds <= MaxSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new OperationFailedException($"{Rule}, not {OperationValues.Describe(node)}", ErrorKinds.InvalidOperation);
    }

    /// <summary>The duration, or <paramref name="defaultValue"/> when the field is absent or JSON null.</summary>
    public TimeSpan Read(JsonObject operation, TimeSpan defaultValue) => ReadOptional(operation) ?? defaultValue;
}
