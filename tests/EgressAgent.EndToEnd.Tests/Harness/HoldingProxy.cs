using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// A pass-through proxy between the agent and the emulator that holds the first request
/// matching a predicate until the test releases it: the emulator answers at once, so this is
/// how a test gets a request in flight at a moment of its choosing. Buffers whole bodies, so it
/// carries REST only: run the agent behind it with <c>Events:Enabled=false</c>.
/// </summary>
internal sealed class HoldingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Upgrade", "Proxy-Connection", "TE", "Trailer",
    };

    private readonly Uri _target;
    private readonly Func<HttpRequest, bool> _hold;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    private int _holding;

    private HoldingProxy(Uri target, Func<HttpRequest, bool> hold)
    {
        _target = target;
        _hold = hold;
        BaseUrl = target;
    }

    /// <summary>Gets the URL to configure the agent with instead of the emulator's.</summary>
    public Uri BaseUrl { get; private set; }

    /// <summary>Completes when the request to hold has arrived and is being held.</summary>
    public Task Held => _held.Task;

    /// <summary>Lets the held request (and any later one) through to the emulator.</summary>
    public void Release() => _released.TrySetResult();

    public static async Task<HoldingProxy> StartAsync(Uri target, Func<HttpRequest, bool> holdFirstMatching)
    {
        var proxy = new HoldingProxy(target, holdFirstMatching);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        proxy._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        if (_app is not null)
        {
            using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _app.StopAsync(budget.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await _app.DisposeAsync();
        }

        _client.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        if (_hold(request) && Interlocked.Exchange(ref _holding, 1) == 0)
        {
            _held.TrySetResult();
            await _released.Task;
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var relative = (request.Path.Value ?? "/").TrimStart('/') + request.QueryString.Value;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, relative));
        if (body.Length > 0)
        {
            forward.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var (name, values) in request.Headers)
        {
            if (!HopByHop.Contains(name) && !forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // Not the agent's token: once released, the request reaches the emulator even if the agent gave up.
        using var answer = await _client.SendAsync(forward, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
        var payload = await answer.Content.ReadAsByteArrayAsync(CancellationToken.None);
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                response.Headers[name] = values.ToArray();
            }
        }

        if (payload.Length > 0)
        {
            await response.Body.WriteAsync(payload, context.RequestAborted);
        }
    }
}
