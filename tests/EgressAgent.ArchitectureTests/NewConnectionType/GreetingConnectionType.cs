using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;

namespace EgressAgent.ArchitectureTests.NewConnectionType;

/// <summary>
/// A connection type written the way docs/connectors.md ("Adding a connection type") says: one
/// file, nothing registered anywhere. Its client greets whoever the credentials name; its one
/// method is <c>greet</c>. <see cref="NewConnectionTypeTests"/> proves the agent's composition
/// finds and runs it.
/// </summary>
internal sealed class GreetingConnectionType : IConnectionType
{
    public IReadOnlyList<string> Names { get; } = ["greeting"];

    public IDataSourceClient CreateClient(ConnectionRequest request) =>
        new Client(request.ConnectArgs?["name"]?.GetValue<string>() ?? "nobody");

    private sealed class Client(string name) : IDataSourceClient
    {
        public Task<IDataSourceSession> OpenSessionAsync(SessionLimits limits, CancellationToken cancellationToken) =>
            Task.FromResult<IDataSourceSession>(new Session(name));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Session(string name) : IDataSourceSession
    {
        public ValueTask<object?> InvokeAsync(string method, ProgramArguments arguments, CancellationToken cancellationToken) => method switch
        {
            "greet" => ValueTask.FromResult<object?>(JsonValue.Create($"hello, {name}")),
            _ => throw new ProgramMethodNotFoundException(method),
        };

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
