using EgressAgent.Domain.Faults;

namespace EgressAgent.Application.Tests.Execution;

/// <summary>docs/adr/0043: which exceptions code may catch and go on after.</summary>
public sealed class ExceptionFiltersTests
{
    public static TheoryData<Exception, bool, bool> Cases => new()
    {
        { new OutOfMemoryException(), true, false },
        { new InsufficientMemoryException(), true, false },
        { new InsufficientExecutionStackException(), true, true },
        { new InvalidOperationException(), true, true },
        { new IOException(), true, true },
        { new OperationCanceledException(), true, true },
        { new AccessViolationException(), false, false },
#pragma warning disable CA2201 // the type is the point: one thrown by hand must not be swallowed either
        { new StackOverflowException(), false, false },
#pragma warning restore CA2201
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_corrupted_state_is_not_recoverable_and_running_out_of_memory_is_never_translated(Exception exception, bool recoverable, bool translatable)
    {
        Assert.Equal(recoverable, exception.IsRecoverable());
        Assert.Equal(translatable, exception.IsTranslatable());
    }
}
