using System.Net;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Domain;
using EgressAgent.Infrastructure.Credentials;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// Every request to the orchestrator, REST and stream alike: the credential (read fresh), the
/// instance id, the base URL's user info as Basic credentials when it has any, and bookkeeping of what the orchestrator saw (last request, rejections).
/// Only for the configured origin (scheme, host and port of the base URL): a request anywhere else is refused unsent.
/// </summary>
internal sealed partial class AgentHeadersHandler(
    CredentialSource credentials,
    InstanceId instanceId,
    RequestActivity activity,
    CredentialRejections rejections,
    OrchestratorUrl url,
    ILogger<AgentHeadersHandler> logger) : DelegatingHandler
{
    public const string IdHeader = "x-mcd-id";
    public const string TokenHeader = "x-mcd-token";
    public const string InstanceHeader = "x-mcd-agent-instance-id";

    /// <summary>Set on the stream's requests: an open stream is not activity for the orchestrator.</summary>
    public static readonly HttpRequestOptionsKey<bool> IsStream = new("egress-agent-stream");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Defence in depth (docs/adr/0041): the clients follow no redirect and build every URI from
        // the base URL, so this never fires; if it ever did, no credential would leave for elsewhere.
        if (request.RequestUri is not { } uri || !RedirectAnswer.IsSameOrigin(uri, url.Base))
        {
            throw new InvalidOperationException(
                $"A request to {(request.RequestUri is { IsAbsoluteUri: true } target ? RedirectAnswer.OriginOf(target) : "a relative URI")} is not for the configured orchestrator ({RedirectAnswer.OriginOf(url.Base)}); the credential is sent to the configured origin only and the request was not sent.");
        }

        var credential = credentials.Read();
        request.Headers.Remove(IdHeader);
        request.Headers.Remove(TokenHeader);
        request.Headers.Remove(InstanceHeader);
        request.Headers.TryAddWithoutValidation(IdHeader, credential.Id);
        request.Headers.TryAddWithoutValidation(TokenHeader, credential.Secret);
        request.Headers.TryAddWithoutValidation(InstanceHeader, instanceId.ToString());
        if (url.BasicCredentials is { } basic)
        {
            request.Headers.Authorization = basic; // the base URL's user info (docs/adr/0021)
        }

        if (!request.Options.TryGetValue(IsStream, out var isStream) || !isStream)
        {
            activity.Touch();
        }

        var response = await base.SendAsync(request, cancellationToken);
        activity.Answered(); // any status: the orchestrator is there (/readyz, docs/adr/0024)
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            rejections.RecordRejected();
            LogRejected(logger, (int)response.StatusCode, request.Method.Method, request.RequestUri?.AbsolutePath, credential.Id);
        }
        else
        {
            rejections.RecordAccepted();
        }

        return response;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The orchestrator rejected the credential {CredentialId} with {StatusCode} on {Method} {Path}; check the token")]
    private static partial void LogRejected(ILogger logger, int statusCode, string method, string? path, string credentialId);
}
