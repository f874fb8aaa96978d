namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>What <see cref="FaultProxy"/> does to one exchange.</summary>
internal enum ProxyFaultKind
{
    /// <summary>Relays request and response untouched (the response as it comes, streams included).</summary>
    PassThrough,

    /// <summary>Relays the response head and <see cref="ProxyFault.Bytes"/> body bytes, then sends nothing more and keeps the connection open.</summary>
    Stall,

    /// <summary>Relays the response head and <see cref="ProxyFault.Bytes"/> body bytes, then resets the connection (RST).</summary>
    Reset,

    /// <summary>Resets the connection once the request is read; nothing reaches the server.</summary>
    ResetBeforeAnswer,

    /// <summary>Relays the whole response, head included, <see cref="ProxyFault.Bytes"/> bytes per <see cref="ProxyFault.Interval"/>.</summary>
    Drip,

    /// <summary>Reads the request and never answers nor closes; nothing reaches the server.</summary>
    HalfOpen,

    /// <summary>Answers the request itself with <see cref="ProxyFault.Status"/> and <c>Location: </c><see cref="ProxyFault.Location"/>, no body; nothing reaches the server.</summary>
    Redirect,

    /// <summary>Answers the request itself with <see cref="ProxyFault.Status"/> and an empty body (a server in trouble); nothing reaches the server.</summary>
    Answer,

    /// <summary>Sends the request on only once <see cref="ProxyFault.Release"/> completes, then relays as <see cref="PassThrough"/>.</summary>
    Hold,
}

/// <summary>A fault <see cref="FaultProxy"/> applies to the exchanges a <see cref="FaultRule"/> matches.</summary>
internal sealed class ProxyFault
{
    private ProxyFault(ProxyFaultKind kind, int bytes = 0, TimeSpan interval = default, int status = 0, string? location = null, Task? release = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Kind = kind;
        Bytes = bytes;
        Interval = interval;
        Status = status;
        Location = location;
        Release = release ?? Task.CompletedTask;
    }

    public static ProxyFault PassThrough { get; } = new(ProxyFaultKind.PassThrough);

    public ProxyFaultKind Kind { get; }

    /// <summary>Body bytes relayed before a stall or a reset; bytes per step of a drip.</summary>
    public int Bytes { get; }

    public TimeSpan Interval { get; }

    /// <summary>The status of a <see cref="ProxyFaultKind.Redirect"/> or an <see cref="ProxyFaultKind.Answer"/>.</summary>
    public int Status { get; }

    /// <summary>The <c>Location</c> of a <see cref="ProxyFaultKind.Redirect"/>.</summary>
    public string? Location { get; }

    /// <summary>What a <see cref="ProxyFaultKind.Hold"/> waits for before the request goes on to the server.</summary>
    public Task Release { get; }

    /// <summary>Whether the request is sent on to the server (which then records it).</summary>
    public bool Forwards => Kind is not (ProxyFaultKind.HalfOpen or ProxyFaultKind.ResetBeforeAnswer or ProxyFaultKind.Redirect or ProxyFaultKind.Answer);

    /// <summary>The status line and headers arrive, the body never does.</summary>
    public static ProxyFault StallAfterHeaders() => new(ProxyFaultKind.Stall);

    /// <summary>The body stops after <paramref name="bytes"/> bytes (as they travel, chunk framing included).</summary>
    public static ProxyFault StallAfterBodyBytes(int bytes) => new(ProxyFaultKind.Stall, bytes);

    /// <summary>The connection is reset after the head and <paramref name="bytes"/> body bytes.</summary>
    public static ProxyFault ResetAfterBodyBytes(int bytes) => new(ProxyFaultKind.Reset, bytes);

    /// <summary>The connection is reset as soon as the request is in.</summary>
    public static ProxyFault ResetBeforeAnswer() => new(ProxyFaultKind.ResetBeforeAnswer);

    public static ProxyFault Drip(int bytesPerStep, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerStep, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        return new(ProxyFaultKind.Drip, bytesPerStep, interval);
    }

    /// <summary>Accepts and reads the request, then nothing: no answer, no close.</summary>
    public static ProxyFault HalfOpen() => new(ProxyFaultKind.HalfOpen);

    /// <summary>The proxy answers <paramref name="status"/> (a 3xx) with <c>Location: <paramref name="location"/></c> in the server's place.</summary>
    public static ProxyFault Redirect(int status, string location)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 399);
        return new(ProxyFaultKind.Redirect, status: status, location: location);
    }

    /// <summary>The proxy answers <paramref name="status"/> (a 4xx or 5xx, e.g. 503 for a store that is down) in the server's place.</summary>
    public static ProxyFault Answer(int status)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        return new(ProxyFaultKind.Answer, status: status);
    }

    /// <summary>
    /// The request reaches the server only once <paramref name="release"/> completes (the server
    /// records it then), and its answer is relayed untouched: an exchange kept in flight for as
    /// long as the test wants. Bounded by the client's own timeout and the proxy's lifetime.
    /// </summary>
    public static ProxyFault HoldUntil(Task release)
    {
        ArgumentNullException.ThrowIfNull(release);
        return new(ProxyFaultKind.Hold, release: release);
    }

    public override string ToString() => Kind switch
    {
        ProxyFaultKind.Redirect => $"Redirect {Status}",
        ProxyFaultKind.Answer => $"Answer {Status}",
        ProxyFaultKind.Stall or ProxyFaultKind.Reset => $"{Kind} after {Bytes} body bytes",
        ProxyFaultKind.Drip => $"Drip {Bytes} bytes per {Interval.TotalMilliseconds:0} ms",
        _ => Kind.ToString(),
    };
}
