using MediatR;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// MediatR 5.1.0's publish stops at the first handler that throws; every handler of an event
/// must run, so all are awaited and their failures surface together.
/// </summary>
internal sealed class ResilientMediator(ServiceFactory serviceFactory) : Mediator(serviceFactory)
{
    protected override Task PublishCore(IEnumerable<Task> allHandlers) => Task.WhenAll(allHandlers.ToList());
}
