using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;

namespace EgressAgent.Application.Tests.Connectors;

/// <summary>A DB-API-like cursor over fixed rows: execute, fetchall, description, rowcount, close.</summary>
internal sealed class FakeCursor(JsonArray rows, JsonArray description) : IProgramObject
{
    public List<(string Method, ProgramArguments Arguments)> Calls { get; } = [];

    public ValueTask<object?> InvokeAsync(string method, ProgramArguments arguments, CancellationToken cancellationToken)
    {
        Calls.Add((method, arguments));
        return method switch
        {
            "execute" => ValueTask.FromResult<object?>(null),
            "fetchall" => ValueTask.FromResult<object?>(rows.DeepClone()),
            "description" => ValueTask.FromResult<object?>(description.DeepClone()),
            "rowcount" => ValueTask.FromResult<object?>(JsonValue.Create(rows.Count)),
            "close" => ValueTask.FromResult<object?>(null),
            _ => throw new ProgramMethodNotFoundException(method),
        };
    }
}

/// <summary>A session whose methods are the test's: by default only <c>cursor</c>, handing out <see cref="Cursor"/>.</summary>
internal sealed class FakeSession : IDataSourceSession
{
    public FakeCursor Cursor { get; set; } = new([], []);

    public Dictionary<string, Func<ProgramArguments, object?>> Methods { get; } = [];

    public List<(string Method, ProgramArguments Arguments)> Calls { get; } = [];

    public bool Disposed { get; private set; }

    public ValueTask<object?> InvokeAsync(string method, ProgramArguments arguments, CancellationToken cancellationToken)
    {
        Calls.Add((method, arguments));
        if (Methods.TryGetValue(method, out var call))
        {
            return ValueTask.FromResult(call(arguments));
        }

        return method == "cursor" ? ValueTask.FromResult<object?>(Cursor) : throw new ProgramMethodNotFoundException(method);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

internal sealed class FakeClient(Func<FakeSession> openSession) : IDataSourceClient
{
    public int Disposals { get; private set; }

    public int Sessions { get; private set; }

    public Exception? OpenFailure { get; set; }

    public async Task<IDataSourceSession> OpenSessionAsync(SessionLimits limits, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Sessions++;
        return OpenFailure is { } failure ? throw failure : openSession();
    }

    public ValueTask DisposeAsync()
    {
        Disposals++;
        return ValueTask.CompletedTask;
    }
}

/// <summary>A connection type that records every request and the clients it made.</summary>
internal sealed class FakeConnectionType(params string[] names) : IConnectionType
{
    private readonly ConcurrentQueue<FakeClient> _clients = new();
    private readonly ConcurrentQueue<ConnectionRequest> _requests = new();

    public IReadOnlyList<string> Names { get; } = names;

    public Func<FakeSession> NewSession { get; set; } = () => new FakeSession();

    public Exception? OpenFailure { get; set; }

    public Exception? CreateFailure { get; set; }

    public IReadOnlyList<FakeClient> Clients => [.. _clients];

    public IReadOnlyList<ConnectionRequest> Requests => [.. _requests];

    public IDataSourceClient CreateClient(ConnectionRequest request)
    {
        _requests.Enqueue(request);
        if (CreateFailure is { } failure)
        {
            throw failure;
        }

        var client = new FakeClient(() => NewSession()) { OpenFailure = OpenFailure };
        _clients.Enqueue(client);
        return client;
    }
}

/// <summary>A fake clock whose wall clock can be stepped (NTP, an operator) while the monotonic timestamp goes on.</summary>
internal sealed class SteppedClock : Microsoft.Extensions.Time.Testing.FakeTimeProvider
{
    public TimeSpan WallStep { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + WallStep;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => base.GetUtcNow().UtcTicks;
}
