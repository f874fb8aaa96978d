using NetArchTest.Rules;

namespace EgressAgent.ArchitectureTests.Support;

/// <summary>
/// Every rule first proves it looked at something: a rule over an empty selection passes
/// whatever the code does, so a renamed interface or a wrong filter would silently disable it.
/// </summary>
internal static class Selection
{
    public static IReadOnlyList<T> NonEmpty<T>(IEnumerable<T> selected, string what)
    {
        var list = selected.ToList();
        Assert.True(list.Count > 0, $"The rule selected no {what}; it would pass whatever the code does. Fix the selection.");
        return list;
    }

    public static PredicateList NonEmpty(PredicateList selected, string what)
    {
        NonEmpty(selected.GetTypes(), what);
        return selected;
    }

    /// <summary>Fails with every violation listed, so one run shows all of them.</summary>
    public static void NoViolations(IEnumerable<string> violations, string rule)
    {
        var list = violations.ToList();
        Assert.True(list.Count == 0, $"{rule}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", list)}");
    }

    public static void Holds(ConditionList condition, string rule)
    {
        var result = condition.GetResult();
        NoViolations(result.IsSuccessful ? [] : result.FailingTypeNames ?? ["(NetArchTest named no type)"], rule);
    }
}
